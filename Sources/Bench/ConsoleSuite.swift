import ArgumentParser
import Console
import Foundation
import TestSupport

/// `console`: frame build + diff of the artifacts and replicas views with 1,000 / 10,000 /
/// 100,000 artifacts through the test backend, each size in its own process so its resident
/// memory is the console's alone.
struct ConsoleSuite: Suite {
    static let key = "console"

    func run(_ options: SuiteOptions) async throws -> SuiteReport {
        let sizes = options.quick ? [1000, 10_000] : [1000, 10_000, 100_000]
        let dir = TemporaryDirectory(prefix: "gwops-bench-console")
        defer { dir.remove() }
        var json: [String: Figure] = [:]
        var lines = ["| artifacts | view | frame p50 | p99 | max | RSS loaded |", "|---|---|---|---|---|---|"]
        for n in sizes {
            var p50: [String: [Double]] = [:], p99: [String: [Double]] = [:], worst: [String: [Double]] = [:]
            var rss: [Double] = []
            for rep in 0..<options.repetitions {
                let name = "console-\(n)-\(rep)"
                let out = try await Child.run(["console-child", "--artifacts", String(n)], name: name, in: dir)
                let result = try Child.decode(ConsoleChild.Result.self, from: out, name: name)
                rss.append(result.rssMB)
                for view in result.views {
                    let sorted = view.frameMs.sorted()
                    p50[view.view, default: []].append(Percentiles.of(sorted, 0.5))
                    p99[view.view, default: []].append(Percentiles.of(sorted, 0.99))
                    worst[view.view, default: []].append(sorted.last ?? .nan)
                }
            }
            var entry: [String: Figure] = ["rss_mb": .number(Spread(rss).median)]
            for view in p50.keys.sorted() {
                let (a, b, c) = (Spread(p50[view]!), Spread(p99[view]!), Spread(worst[view]!))
                let prefix = view == "artifacts" ? "" : view + "_"
                entry[prefix + "frame_ms_p50"] = .number(a.median)
                entry[prefix + "frame_ms_p99"] = .number(b.median)
                entry[prefix + "frame_ms_max"] = .number(c.median)
                lines.append("| \(n) | \(view) | \(a.text(3)) ms | \(b.text(3)) ms | \(c.text(2)) ms | \(f(Spread(rss).median, 0)) MB |")
            }
            json[String(n)] = .object(entry)
        }
        lines.append("120×40, 300 frames per view, median [min–max] of \(options.repetitions) process(es). Targets: frame ≤ 2 ms, RSS ≤ 150 MB with 100,000.")
        return SuiteReport(json: .object(json), lines: lines)
    }
}

/// `gwops-bench console-child`: loads N synthetic artifacts into the console and measures frames;
/// prints the frame times and this process's resident memory as one JSON line.
struct ConsoleChild: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console-child", shouldDisplay: false)

    @Option var artifacts: Int
    @Option var frames = 300

    struct Result: Codable {
        var views: [ConsoleBenchmark.Result]
        var rssMB: Double
    }

    func run() throws {
        let views = ConsoleBenchmark.run(artifacts: artifacts, frames: frames)
        try emit(Result(views: views, rssMB: ProcStatus.megabytes("VmRSS")))
    }
}
