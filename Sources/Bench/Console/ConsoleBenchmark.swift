import Console
import ConsoleTesting
import Core
import Foundation

/// Frame build + diff cost of the artifacts and replicas views with N artifacts, through the
/// in-memory backend (used by `gwops-bench console`).
enum ConsoleBenchmark {
    struct Result: Sendable, Codable {
        var artifacts: Int
        var view: String
        /// Every frame's build + diff time, in milliseconds, in measurement order.
        var frameMs: [Double]
    }

    /// Loads `artifacts` synthetic rows and presents `frames` frames per view, moving the cursor
    /// so every frame differs, as scrolling does.
    static func run(artifacts: Int, frames: Int, width: Int = 120, height: Int = 40) -> [Result] {
        var app = ConsoleApp(readonly: false, width: width, height: height)
        app.update(syntheticData(artifacts: artifacts))
        let writer = FrameWriter(backend: TestBackend(width: width, height: height))
        var results: [Result] = []
        for view in [ConsoleView.artifacts, .replicas] {
            _ = app.handle(.char(view == .artifacts ? "1" : "2"))
            var samples: [Double] = []
            samples.reserveCapacity(frames)
            for i in 0..<frames {
                _ = app.handle(i % 50 < 25 ? .down : .up)
                let start = ContinuousClock.now
                writer.present(app.render(now: .now, theme: .test))
                samples.append((ContinuousClock.now - start).seconds * 1000)
            }
            results.append(Result(artifacts: artifacts, view: view.rawValue, frameMs: samples))
        }
        return results
    }

    static func syntheticData(artifacts n: Int) -> ConsoleData {
        var d = ConsoleData()
        d.header = HeaderInfo(
            gateway: "gw-bench", platformURL: "http://127.0.0.1", platformReachable: true, backend: "sqlite",
            location: "/tmp/bench.db", operatorName: "bench")
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
}
