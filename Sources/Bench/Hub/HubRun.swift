import Core
import Foundation
import TestSupport

/// The hub backends the suites compare.
enum HubBackend: String, CaseIterable {
    case sqlite, postgres
}

/// How replicas learn about new events.
enum WakeupMode: String {
    /// data_version on SQLite, LISTEN/NOTIFY on PostgreSQL.
    case wakeup
    /// A timer only, at the reference design's 3 s.
    case poll
}

/// One measured run: three replica processes apply what one publisher publishes at `rate`
/// events/s for `seconds`, `batch` events per publish transaction. Latency is publish→apply:
/// from just before the publish transaction to the replica having applied the event and stored
/// its cursor, in wall-clock time across processes.
struct HubRun {
    var backend: HubBackend
    var rate: Int
    var seconds: Double
    var batch = 1
    var mode = WakeupMode.wakeup
    static let pollInterval = 3000
    static let replicas = 3

    struct Result {
        /// Every replica's latencies, ms.
        var latenciesMs: [Double]
        var published: Int
        var publishSeconds: Double
        var achievedRate: Double { Double(published) / publishSeconds }
    }

    func run(postgres: PostgresServer?, _ dir: TemporaryDirectory) async throws -> Result {
        let location: String
        switch backend {
        case .sqlite:
            location = dir.file("hub-\(UUID().uuidString.prefix(8)).db")
        case .postgres:
            guard let postgres else { throw BenchError("no PostgreSQL server") }
            let name = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            try await StoreFixture.createDatabase(name, port: postgres.port)
            location = postgres.url(database: name)
        }
        let store = try await Self.open(backend, location)
        defer { (store as? PostgresStore)?.close() }
        let total = Int(Double(rate) * seconds)
        var children: [Child] = []
        for i in 0..<Self.replicas {
            var args = ["replica-child", "--backend", backend.rawValue, "--location", location, "--replica-id", "replica-\(i)",
                        "--events", String(total), "--samples", dir.file("replica-\(i).samples")]
            if mode == .poll { args += ["--poll-ms", String(Self.pollInterval)] }
            children.append(try Child.start(args, name: "replica-\(i)", in: dir))
        }
        try await waitForReplicas(store, children)
        let publishSeconds = try await publish(total, to: store)
        for child in children { _ = try await child.finish(timeout: .seconds(120 + seconds * 4)) }
        var latencies: [Double] = []
        for i in 0..<Self.replicas {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir.file("replica-\(i).samples")))
            latencies += data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)).map(Double.init) }
        }
        guard latencies.count == total * Self.replicas else {
            throw BenchError("replicas reported \(latencies.count) applies, expected \(total * Self.replicas)")
        }
        return Result(latenciesMs: latencies, published: total, publishSeconds: publishSeconds)
    }

    /// What a hub suite needs: a temporary directory, a durable PostgreSQL cluster, and the
    /// length of each run (2 s with `--quick`, else 10 s); both are removed afterwards.
    static func environment<T>(
        _ options: SuiteOptions, _ body: (TemporaryDirectory, PostgresServer, Double) async throws -> T
    ) async throws -> T {
        let dir = TemporaryDirectory(prefix: "gwops-bench-hub")
        defer { dir.remove() }
        let postgres = try PostgresServer.launch(durable: true)
        defer { postgres.stop() }
        return try await body(dir, postgres, options.quick ? 2.0 : 10.0)
    }

    static func open(_ backend: HubBackend, _ location: String) async throws -> any GatewayStore {
        switch backend {
        case .sqlite: try SQLiteStore(path: location, gatewayId: "gw-bench")
        case .postgres: try await PostgresStore.connect(url: location, gatewayId: "gw-bench", password: nil)
        }
    }

    private func waitForReplicas(_ store: any GatewayStore, _ children: [Child]) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await store.replicas().filter({ $0.state == .running }).count < Self.replicas {
            guard ContinuousClock.now < deadline else { throw BenchError("replicas did not start within 60 s") }
            for child in children where waitpid(child.pid, nil, WNOHANG) == child.pid {
                let err = (try? String(contentsOfFile: child.directory.file(child.name + ".err"), encoding: .utf8)) ?? ""
                throw BenchError("\(child.name) exited early: \(err.suffix(500))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Publishes `total` events on schedule (event i is due at i / rate s), `batch` per
    /// transaction, catching up without sleeping when behind; returns the seconds it took.
    func publish(_ total: Int, to store: any GatewayStore) async throws -> Double {
        let templates = (0..<1000).map { i in
            ArtifactEvents.change(
                ArtifactSummary(uuid: "bench-\(i)", handle: "bench-\(i)", kind: .restApi, desiredState: .deployed,
                                deploymentId: "dep-\(i)", deployedAt: .now), action: .update)
        }
        let clock = ContinuousClock()
        let start = clock.now
        var sent = 0
        while sent < total {
            let due = min(total, Int((clock.now - start).seconds * Double(rate)) + 1)
            if due <= sent {
                try await Task.sleep(until: start + .seconds(Double(sent) / Double(rate)), clock: clock)
                continue
            }
            let count = min(due - sent, batch)
            let now = Timestamp(microseconds: wallMicros())
            let events = (sent..<sent + count).map { i in
                var e = templates[i % templates.count]
                e.eventId = "event-\(i)"
                e.originatedAt = now
                return e
            }
            let seqs = try await store.publish(events)
            guard seqs.allSatisfy({ $0 != nil }) else { throw BenchError("publish returned a duplicate") }
            sent += count
        }
        return (clock.now - start).seconds
    }
}
