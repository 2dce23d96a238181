import ControlSocket
import Core
import Foundation
import Synchronization
import TestSupport

/// `socket-latency`: how long a hub event takes to reach consoles through the controller's
/// control socket at 1,000 events/s: a real `gwops controller` process applies the hub and
/// streams what it applies to three followers (as consoles follow it); latency is from just
/// before the publish transaction to the follower having decoded the event.
struct SocketLatencySuite: Suite {
    static let key = "socket_latency"
    static let rate = 1000
    static let followers = 3
    /// Clients asking for the dashboard meanwhile (RELIABILITY.md: many clients at once)…
    var hammering = 0
    /// …each once per this many ms as a console does (0: back to back, as an abusive client).
    var hammerPeriodMs = 0

    func run(_ options: SuiteOptions) async throws -> SuiteReport {
        try await HubRun.environment(options) { dir, postgres, seconds in
            var json: [String: Figure] = [:]
            var lines = ["| backend | p50 | p99 | max |", "|---|---|---|---|"]
            for backend in HubBackend.allCases {
                var runs: [[Double]] = []
                for rep in 0..<options.repetitions {
                    let sorted = try await once(backend, postgres, dir, seconds).sorted()
                    runs.append(sorted)
                    Progress.say(
                        "socket-latency \(backend.rawValue) rep \(rep + 1): p50 \(f(Percentiles.of(sorted, 0.5), 2)) ms "
                            + "p99 \(f(Percentiles.of(sorted, 0.99), 2)) ms max \(f(sorted.last ?? .nan, 2)) ms")
                }
                let p50 = Spread(runs.map { Percentiles.of($0, 0.5) }), p99 = Spread(runs.map { Percentiles.of($0, 0.99) })
                let max = Spread(runs.map { $0.last ?? .nan })
                json[backend.rawValue] = [
                    "p50_ms": .number(p50.median), "p99_ms": .number(p99.median), "max_ms": .number(max.median),
                    "events_per_s": .number(Double(Self.rate)), "seconds": .number(seconds), "followers": .number(Double(Self.followers)),
                    "hammering_clients": .number(Double(hammering)),
                    "spread": ["p50_ms": p50.json, "p99_ms": p99.json, "max_ms": max.json],
                ]
                lines.append("| \(backend.rawValue) | \(p50.text(2)) | \(p99.text(2)) | \(max.text(1)) |")
            }
            lines.append(
                "ms, median [min–max] of \(options.repetitions) run(s) of \(Int(seconds)) s at \(Self.rate) events/s: publish → a `gwops controller` "
                    + "process applies it → \(Self.followers) followers of its control socket's event stream decode it"
                    + (hammering > 0 ? ", while \(hammering) more clients ask for the dashboard "
                        + (hammerPeriodMs > 0 ? "every \(hammerPeriodMs) ms and follow the event stream, as consoles do" : "back to back, 500 events each time") : "") + ". Target: p99 ≤ 20 ms.")
            return SuiteReport(json: .object(json), lines: lines)
        }
    }

    private func once(_ backend: HubBackend, _ postgres: PostgresServer, _ dir: TemporaryDirectory, _ seconds: Double) async throws -> [Double] {
        let controller = try await BenchController.start(backend, postgres, dir)
        defer { controller.stop() }
        let store = controller.store
        let total = Int(Double(Self.rate) * seconds)
        let head = try await store.position().headSeq
        let latencies = Samples()
        var followers: [Task<Int, any Error>] = []
        for _ in 0..<Self.followers {
            let follower = try await controller.client()
            followers.append(Task {
                var received = 0
                for try await batch in follower.stream(after: head) {
                    let now = wallMicros()
                    latencies.values.withLock { l in for e in batch { l.append(Double(now - e.originatedAt.microseconds) / 1000) } }
                    received += batch.count
                    if received >= total { break }
                }
                return received
            })
        }
        var hammers: [Task<Int, Never>] = []
        let hammered = ContinuousClock.now
        for _ in 0..<hammering {
            let other = try await controller.client()
            // A console follows the event stream (read here without decoding: the decoding would be
            // its own process's work) and asks for a dashboard without events each refresh; a client
            // asking back to back asks for the newest 500 events every time.
            let console = hammerPeriodMs > 0
            let stream = console ? try DiscardingStream(socket: controller.socket, after: head) : nil
            hammers.append(Task {
                defer { stream?.stop() }
                var calls = 0
                while !Task.isCancelled, (try? await other.dashboard(recentEvents: console ? 0 : 500, lagWindow: .seconds(600))) != nil {
                    calls += 1
                    if console { try? await Task.sleep(for: .milliseconds(hammerPeriodMs)) }
                }
                return calls
            })
        }
        try await Task.sleep(for: .milliseconds(300))  // the followers' streams are open
        _ = try await HubRun(backend: backend, rate: Self.rate, seconds: seconds).publish(total, to: store)
        for h in hammers { h.cancel() }
        var calls = 0
        for h in hammers { calls += await h.value }
        // Over the time the clients really asked (the publish can take longer than planned)
        let elapsed = (ContinuousClock.now - hammered).seconds
        if hammering > 0 {
            Progress.say("socket-latency: \(hammering) hammering clients made \(calls) dashboard calls in \(f(elapsed, 1)) s (\(f(Double(calls) / elapsed, 0))/s)")
        }
        let waited = Task {
            try await Task.sleep(for: .seconds(30))
            for f in followers { f.cancel() }
        }
        for f in followers {
            let got = try await f.value
            guard got >= total else { throw BenchError("a follower received \(got) of \(total) events") }
        }
        waited.cancel()
        return latencies.values.withLock { $0 }
    }

    /// Latencies the followers record, in ms.
    final class Samples: Sendable {
        let values = Mutex<[Double]>([])
    }
}
