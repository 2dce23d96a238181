import ArgumentParser
import Core
import Foundation

/// `gwops bench-console`: frame build + diff cost of the artifacts and replicas views with N
/// artifacts, through the in-memory backend, and the resident memory with them loaded.
struct BenchConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-console", abstract: "Measure console frame cost and memory (benchmark).", shouldDisplay: false)

    @Option(name: .long, help: "Artifacts to load.") var artifacts = 100_000
    @Option(name: .long, help: "Frames to measure per view.") var frames = 300
    @Option(name: .long, help: "Terminal width.") var width = 120
    @Option(name: .long, help: "Terminal height.") var height = 40
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Result: Encodable {
        var artifacts: Int
        var view: String
        var frameMsP50: Double
        var frameMsP99: Double
        var frameMsMax: Double
        var rssMB: Double
    }

    func run() throws {
        var results: [Result] = []
        let data = Self.syntheticData(artifacts: artifacts)
        var app = ConsoleApp(readonly: false, width: width, height: height)
        app.update(data)
        let backend = TestBackend(width: width, height: height)
        let writer = FrameWriter(backend: backend)
        let theme = Theme.test
        for view in [ConsoleView.artifacts, .replicas] {
            _ = app.handle(.char(view == .artifacts ? "1" : "2"))
            var samples: [Double] = []
            for i in 0..<frames {
                // Move the cursor so every frame differs, as scrolling does.
                _ = app.handle(i % 50 < 25 ? .down : .up)
                let start = ContinuousClock.now
                writer.present(app.render(now: .now, theme: theme))
                samples.append((ContinuousClock.now - start).seconds * 1000)
            }
            samples.sort()
            results.append(Result(
                artifacts: artifacts, view: view.rawValue, frameMsP50: samples[samples.count / 2],
                frameMsP99: samples[min(samples.count - 1, samples.count * 99 / 100)], frameMsMax: samples.last ?? 0,
                rssMB: Self.residentMB()))
        }
        if json {
            print(try Terminal.json(results))
        } else {
            for r in results {
                print(String(format: "%-10@ %7d artifacts  frame p50 %.3f ms  p99 %.3f ms  max %.3f ms  RSS %.0f MB",
                             r.view as NSString, r.artifacts, r.frameMsP50, r.frameMsP99, r.frameMsMax, r.rssMB))
            }
        }
    }

    static func syntheticData(artifacts n: Int) -> ConsoleData {
        var d = ConsoleData()
        d.header = HeaderInfo(gateway: "gw-bench", platformURL: "http://127.0.0.1", platformReachable: true, backend: "sqlite", location: "/tmp/bench.db", operatorName: "bench")
        let kinds = ArtifactKind.allCases
        let now = Timestamp.now
        d.artifacts = (0..<n).map { i in
            ArtifactRow(
                summary: ArtifactSummary(
                    uuid: UUID().uuidString.lowercased(), handle: "artifact-\(i)", kind: kinds[i % 4],
                    desiredState: i % 10 == 0 ? .undeployed : .deployed, deploymentId: "dep-\(i)", deployedAt: now),
                sync: .inSync, keys: i % 3)
        }
        d.counts.total = n
        d.inSyncCount = n
        d.loadedAt = now
        d.replicas = (0..<3).map {
            LagReport(replicaId: "replica-\($0)", status: .ok, reason: nil, lagEvents: 0, lagSeconds: 0, headroom: 1, heartbeatAge: 1)
        }
        return d
    }

    /// VmRSS of this process, in MB.
    static func residentMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kb / 1024
    }
}
