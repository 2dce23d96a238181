import ArgumentParser
import Console
import Core
import Foundation
import TestSupport

/// `console_socket`: the console through a controller's socket, as an operator over SSH runs it.
/// A real `gwops controller` serves a store of 1,000 / 10,000 / 100,000 artifacts; a console
/// child process (its RSS is the console's) loads through the socket, then paints while the hub
/// takes 1,000 events/s: how long it takes to load, what a frame costs, and how long after its
/// publish each event is on screen.
struct ConsoleSocketSuite: Suite {
    static let key = "console_socket"

    func run(_ options: SuiteOptions) async throws -> SuiteReport {
        try await HubRun.environment(options) { dir, postgres, seconds in
            let sizes = options.quick ? [1000] : [1000, 10_000, 100_000]
            var json: [String: Figure] = [:]
            var lines = [
                "| backend | artifacts | load | RSS loaded / end | frame p50 | frame p99 | event→frame p50 | p99 | max |",
                "|---|---|---|---|---|---|---|---|---|",
            ]
            for backend in HubBackend.allCases {
                var perSize: [String: Figure] = [:]
                for n in sizes {
                    var results: [ConsoleBenchmark.SocketResult] = []
                    for rep in 0..<options.repetitions {
                        let result = try await once(backend, n, rep, postgres, dir, seconds)
                        let sorted = result.eventToFrameMs.sorted()
                        Progress.say(
                            "console-socket \(backend.rawValue) \(n) rep \(rep + 1): load \(f(result.loadMs, 0)) ms, event→frame p50 "
                                + "\(f(Percentiles.of(sorted, 0.5), 1)) p99 \(f(Percentiles.of(sorted, 0.99), 1)) ms, missed \(result.missed)")
                        results.append(result)
                    }
                    let load = Spread(results.map(\.loadMs)), loaded = Spread(results.map(\.rssLoadedMB)), end = Spread(results.map(\.rssEndMB))
                    let frames = results.map { $0.frameMs.sorted() }, events = results.map { $0.eventToFrameMs.sorted() }
                    let f50 = Spread(frames.map { Percentiles.of($0, 0.5) }), f99 = Spread(frames.map { Percentiles.of($0, 0.99) })
                    let e50 = Spread(events.map { Percentiles.of($0, 0.5) }), e99 = Spread(events.map { Percentiles.of($0, 0.99) })
                    let emax = Spread(events.map { $0.last ?? .nan })
                    perSize[String(n)] = [
                        "load_ms": .number(load.median), "rss_loaded_mb": .number(loaded.median), "rss_end_mb": .number(end.median),
                        "frame_ms_p50": .number(f50.median), "frame_ms_p99": .number(f99.median),
                        "event_to_frame_ms_p50": .number(e50.median), "event_to_frame_ms_p99": .number(e99.median),
                        "event_to_frame_ms_max": .number(emax.median), "missed": .number(Double(results.map(\.missed).reduce(0, +))),
                    ]
                    lines.append(
                        "| \(backend.rawValue) | \(n) | \(load.text(0)) ms | \(f(loaded.median, 0)) / \(f(end.median, 0)) MB | \(f50.text(2)) ms "
                            + "| \(f99.text(2)) ms | \(e50.text(1)) ms | \(e99.text(1)) ms | \(emax.text(0)) ms |")
                }
                json[backend.rawValue] = .object(perSize)
            }
            lines.append(
                "120×40, median [min–max] of \(options.repetitions) run(s); \(SocketLatencySuite.rate) events/s for \(Int(seconds)) s "
                    + "while the console paints. Event→frame: from just before the publish to the end of the first frame holding the event "
                    + "(the console shows a stream batch at most every 20 ms, or four times what showing one costs). Targets: frame ≤ 2 ms, RSS ≤ 150 MB with 100,000.")
            return SuiteReport(json: .object(json), lines: lines)
        }
    }

    private func once(
        _ backend: HubBackend, _ n: Int, _ rep: Int, _ postgres: PostgresServer, _ dir: TemporaryDirectory, _ seconds: Double
    ) async throws -> ConsoleBenchmark.SocketResult {
        let controller = try await BenchController.start(backend, postgres, dir) { try await Self.seed(n, into: $0) }
        defer { controller.stop() }
        try await Self.waitForController(controller)
        let name = "console-socket-\(backend.rawValue)-\(n)-\(rep)", ready = dir.file(name + ".ready")
        let total = Int(Double(SocketLatencySuite.rate) * seconds)
        let child = try Child.start(
            ["console-socket-child", "--socket", controller.socket, "--artifacts", String(n), "--events", String(total), "--ready", ready],
            name: name, in: dir)
        let deadline = ContinuousClock.now + .seconds(180)
        while !FileManager.default.fileExists(atPath: ready) {
            if waitpid(child.pid, nil, WNOHANG) == child.pid || ContinuousClock.now > deadline {
                _ = try await child.finish(timeout: .seconds(1))
                throw BenchError("\(name) never loaded")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        _ = try await HubRun(backend: backend, rate: SocketLatencySuite.rate, seconds: seconds).publish(total, to: controller.store)
        return try await child.result(ConsoleBenchmark.SocketResult.self)
    }

    /// `n` artifacts, a thousand per transaction (each publishes its event).
    static func seed(_ n: Int, into store: any GatewayStore) async throws {
        let kinds = ArtifactKind.allCases
        for start in stride(from: 0, to: n, by: 1000) {
            let batch = (start..<min(n, start + 1000)).map { i in
                Fixtures.artifact(String(format: "00000000-0000-4000-8000-%012d", i), kind: kinds[i % kinds.count], handle: "api-\(i)")
            }
            _ = try await store.upsertArtifacts(batch)
        }
    }

    /// Until the controller's replica has applied the seeding's events (so it measures only the live ones).
    static func waitForController(_ controller: BenchController) async throws {
        let head = try await controller.store.position().headSeq
        let deadline = ContinuousClock.now + .seconds(120)
        while try await controller.store.replicas().first(where: { $0.replicaId == "socket-bench" })?.appliedSeq ?? 0 < head {
            guard ContinuousClock.now < deadline else { throw BenchError("the controller did not apply the seeded events within 120 s") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// `gwops-bench console-socket-child`: a console through the socket (see `ConsoleSocketSuite`);
/// prints its result as one JSON line.
struct ConsoleSocketChild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console-socket-child", shouldDisplay: false)

    @Option var socket: String
    @Option var artifacts: Int
    @Option var events: Int
    @Option var ready: String

    func run() async throws {
        let result = try await ConsoleBenchmark.throughSocket(
            socket: socket, artifacts: artifacts, events: events, ready: ready, limit: .seconds(180), rss: { ProcStatus.megabytes("VmRSS") })
        try emit(result)
    }
}
