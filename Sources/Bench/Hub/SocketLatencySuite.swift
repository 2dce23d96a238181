import ArgumentParser
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
    /// Connections from another account trickling a request (RELIABILITY.md: the control socket),
    /// while an operator (this process, root) asks for the status every 50 ms; 0: the operator
    /// alone; nil: neither.
    var hostile: Int?
    var hostileRole = HostileRole.none

    enum HostileRole: String, ExpressibleByArgument, Sendable {
        case none, viewer
    }

    func run(_ options: SuiteOptions) async throws -> SuiteReport {
        try await HubRun.environment(options) { dir, postgres, seconds in
            var json: [String: Figure] = [:]
            var lines = ["| backend | p50 | p99 | max |", "|---|---|---|---|"]
            if let hostile {
                guard hostile == 0 || getuid() == 0 else { throw BenchError("--hostile runs its clients as nobody through setpriv: run the bench as root") }
                chmod(dir.path, 0o755)  // nobody reaches the socket
                lines = ["| backend | p50 | p99 | max | operator's status p50 | p99 | max |", "|---|---|---|---|---|---|---|"]
            }
            for backend in HubBackend.allCases {
                var runs: [[Double]] = []
                var statusRuns: [[Double]] = []
                for rep in 0..<options.repetitions {
                    let (events, statuses) = try await once(backend, postgres, dir, seconds)
                    let sorted = events.sorted()
                    runs.append(sorted)
                    statusRuns.append(statuses.sorted())
                    Progress.say(
                        "socket-latency \(backend.rawValue) rep \(rep + 1): p50 \(f(Percentiles.of(sorted, 0.5), 2)) ms "
                            + "p99 \(f(Percentiles.of(sorted, 0.99), 2)) ms max \(f(sorted.last ?? .nan, 2)) ms"
                            + (hostile != nil ? "; the operator's status p99 \(f(Percentiles.of(statuses.sorted(), 0.99), 2)) ms" : ""))
                }
                let p50 = Spread(runs.map { Percentiles.of($0, 0.5) }), p99 = Spread(runs.map { Percentiles.of($0, 0.99) })
                let max = Spread(runs.map { $0.last ?? .nan })
                var figures: [String: Figure] = [
                    "p50_ms": .number(p50.median), "p99_ms": .number(p99.median), "max_ms": .number(max.median),
                    "events_per_s": .number(Double(Self.rate)), "seconds": .number(seconds), "followers": .number(Double(Self.followers)),
                    "hammering_clients": .number(Double(hammering)),
                    "spread": ["p50_ms": p50.json, "p99_ms": p99.json, "max_ms": max.json],
                ]
                var line = "| \(backend.rawValue) | \(p50.text(2)) | \(p99.text(2)) | \(max.text(1)) |"
                if let hostile {
                    let s50 = Spread(statusRuns.map { Percentiles.of($0, 0.5) }), s99 = Spread(statusRuns.map { Percentiles.of($0, 0.99) })
                    let smax = Spread(statusRuns.map { $0.last ?? .nan })
                    figures["hostile_connections"] = .number(Double(hostile))
                    figures["operator_status"] = ["p50_ms": s50.json, "p99_ms": s99.json, "max_ms": smax.json]
                    line += " \(s50.text(2)) | \(s99.text(2)) | \(smax.text(1)) |"
                }
                json[backend.rawValue] = .object(figures)
                lines.append(line)
            }
            lines.append(
                "ms, median [min–max] of \(options.repetitions) run(s) of \(Int(seconds)) s at \(Self.rate) events/s: publish → a `gwops controller` "
                    + "process applies it → \(Self.followers) followers of its control socket's event stream decode it"
                    + (hammering > 0 ? ", while \(hammering) more clients ask for the dashboard "
                        + (hammerPeriodMs > 0 ? "every \(hammerPeriodMs) ms and follow the event stream, as consoles do" : "back to back, 500 events each time") : "")
                    + (hostile.map { $0 > 0 ? ", while nobody (\(hostileRole == .none ? "no role" : "a viewer")) holds \($0) connections trickling a header line "
                        + "every 10 s and an operator (root) asks for the status every 50 ms" : ", while an operator (root) asks for the status every 50 ms" } ?? "")
                    + ". Target: p99 ≤ 20 ms" + (hostile != nil ? "; the operator's status p99 ≤ 200 ms." : "."))
            return SuiteReport(json: .object(json), lines: lines)
        }
    }

    /// The followers' latencies, and the operator's status calls' (ms) when there is a hostile account.
    private func once(_ backend: HubBackend, _ postgres: PostgresServer, _ dir: TemporaryDirectory, _ seconds: Double) async throws -> ([Double], [Double]) {
        // The followers and hammering clients are this account's: room for all of them when the
        // bench does not run as root (root is never held to an account's share).
        let share = "max_connections_per_user = \(max(32, Self.followers + hammering * 2 + 8))\n"
        let controller = try await BenchController.start(
            backend, postgres, dir, control: share + (hostileRole == .viewer ? try Self.nobodyViewing() : ""))
        defer { controller.stop() }
        var attacker: Process?
        if let hostile, hostile > 0 {
            attacker = try GwopsBinary.start(
                ["hostile-clients", "--socket", controller.socket, "--trickle", "\(hostile)", "--interval", "10", "--duration", "\(Int(seconds) + 60)"],
                binary: GwopsBinary.campaign, asUser: "nobody", logPrefix: "hostile-\(backend.rawValue)", in: dir)
            try await Task.sleep(for: .seconds(2))  // its connections made
        }
        defer { if let attacker { kill(attacker.processIdentifier, SIGKILL); attacker.waitUntilExit() } }
        let operatorCalls: Task<([Double], [String]), Never>? = hostile == nil ? nil : Task { [controller] in
            var (samples, failures) = ([Double](), [String]())
            guard let client = try? await controller.client() else { return ([], ["no client"]) }
            while !Task.isCancelled {
                let started = ContinuousClock.now
                do {
                    _ = try await client.status()
                    samples.append((ContinuousClock.now - started).seconds * 1000)
                } catch {
                    if Task.isCancelled { break }  // the run ended under the call
                    failures.append("\(error)")
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return (samples, failures)
        }
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
        operatorCalls?.cancel()
        let (statuses, failures) = await operatorCalls?.value ?? ([], [])
        if !failures.isEmpty { throw BenchError("the operator's status failed \(failures.count) times under the hostile connections: \(failures[0])") }
        return (latencies.values.withLock { $0 }, statuses)
    }

    /// `[access]` naming nobody's group as viewers.
    static func nobodyViewing() throws -> String {
        let (_, gid) = try GwopsBinary.account("nobody")
        guard let group = getgrgid(gid) else { throw BenchError("nobody's group \(gid) has no name") }
        return "[access]\nviewers = [\"\(String(cString: group.pointee.gr_name))\"]\n"
    }

    /// Latencies the followers record, in ms.
    final class Samples: Sendable {
        let values = Mutex<[Double]>([])
    }
}
