import Foundation
import PlatformSim
import Synchronization
import Testing
import TestSupport
@testable import Core

/// The PostgreSQL server restarts under a running sync and under a running replica (a failover,
/// an upgrade): nothing is half-applied, the store reconnects by itself, and work resumes.

@Suite(.serialized)
struct PostgresRestartTests {
    static let gatewayId = "gw-restart"

    static func freshStore(on server: PostgresServer) async throws -> (PostgresStore, String) {
        let name = "restart_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        try await StoreFixture.createDatabase(name, port: server.port)
        let url = server.url(database: name)
        return (try await PostgresStore.connect(url: url, gatewayId: gatewayId, password: nil), url)
    }

    /// Retries `body` until it succeeds (the server is coming back), for up to `seconds`.
    static func eventually<T>(_ seconds: Double = 30, _ body: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            do {
                return try await body()
            } catch {
                if ContinuousClock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test func syncInterruptedByARestartLeavesNoHalfBatchAndTheNextSyncConverges() async throws {
        let server = try await OffPool.run { try PostgresServer.launch() }
        defer { server.stop() }
        let (store, _) = try await Self.freshStore(on: server)
        defer { store.close() }
        try await SimulatorHarness.with(deployments: 2000) { h in
            var options = SyncOptions()
            options.retryBaseDelay = .milliseconds(10)
            let engine = SyncEngine(store: store, platform: h.client(), options: options)
            let actor = Principal(user: "alice", clientAddress: nil)

            // Given a first sync that has applied some batches
            let run = Task { try await engine.run(trigger: .startup, requestedBy: actor) }
            let deadline = ContinuousClock.now + .seconds(60)
            while try await store.position().headSeq == 0 {
                guard ContinuousClock.now < deadline else { Issue.record("the sync applied nothing in 60 s"); return }
                try await Task.sleep(for: .milliseconds(10))
            }

            // When the server restarts under it
            try server.restart()
            let interrupted = await run.result

            // Then every stored artifact has its event and no event lacks its artifact
            let head = try await Self.eventually { try await store.position().headSeq }
            let total = try await store.artifactCounts().total
            #expect(Int64(total) == head)
            let events = try await store.events(after: 0, limit: 100_000)
            #expect(events.map(\.seq) == Array(1...head))

            // And the next sync (at once: the interrupted run released its lease or it is
            // reclaimed) brings the store to the platform's state
            let second = try await Self.eventually(60) { try await engine.run(trigger: .startup, requestedBy: actor) }
            #expect(second.outcome == .succeeded)
            let deployed = Set(await h.platform.all().filter { $0.deployment?.state == .deployed }.map(\.id))
            let stored = Set(try await store.artifactSummaries().filter { $0.desiredState == .deployed }.map(\.uuid))
            #expect(stored == deployed)
            if case .success(let record) = interrupted {
                // The restart came too late to interrupt: still a valid outcome, but say so.
                Issue.record("the restart did not interrupt the first sync (outcome \(record.outcome))")
            }
        }
    }

    @Test func replicaKeepsApplyingAcrossARestartWithNoGapOrDuplicate() async throws {
        let server = try await OffPool.run { try PostgresServer.launch() }
        defer { server.stop() }
        let (publisher, url) = try await Self.freshStore(on: server)
        defer { publisher.close() }
        var options = ReplicaOptions()
        options.heartbeatInterval = .milliseconds(200)
        let replica = try await RecordingReplica.start(url: url, options: options)
        defer { replica.stop() }

        // Given a replica that applied 50 events
        try await Self.publish(0..<50, to: publisher)
        try await Self.until { replica.applied.count >= 50 }

        // When the server restarts and 50 more events are published after it is back
        try server.restart()
        try await Self.publish(50..<100, to: publisher)
        try await Self.until { replica.applied.count >= 100 }

        // Then the replica is still running and applied each event once, in order
        #expect(replica.applied == Array(1...100))
        #expect(await replica.runner.appliedSeq == 100)
    }

    /// Found by the pg-restart campaign: the controller's apply loop gave up (and the process
    /// exited) when the server stayed away long enough for a query to fail.
    @Test func replicaWaitsOutAServerThatStaysDownForSeconds() async throws {
        let server = try await OffPool.run { try PostgresServer.launch() }
        defer { server.stop() }
        let (publisher, url) = try await Self.freshStore(on: server)
        defer { publisher.close() }
        var options = ReplicaOptions()
        options.heartbeatInterval = .milliseconds(100)
        options.fallbackPoll = .milliseconds(100)
        options.maxRetryDelay = .milliseconds(400)
        let replica = try await RecordingReplica.start(url: url, options: options)
        defer { replica.stop() }
        try await Self.publish(0..<1, to: publisher)
        try await Self.until { replica.applied.count == 1 }

        // When the server is down for 3 s (several failed retries) and comes back
        server.stop()
        try await Task.sleep(for: .seconds(3))
        try server.start()
        try await Self.publish(1..<20, to: publisher)

        // Then the same runner applies what was published after, each event once, in order
        try await Self.until { replica.applied.count >= 20 }
        #expect(replica.applied == Array(1...20))
    }

    /// One create event per index, each retried until the server takes it.
    static func publish(_ range: Range<Int>, to publisher: PostgresStore) async throws {
        for i in range {
            let event = ArtifactEvents.change(Fixtures.summary("a\(i)", deploymentId: "d\(i)"), action: .create)
            _ = try await eventually { try await publisher.publish([event]) }
        }
    }

    /// Waits up to 60 s for `condition`.
    static func until(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }
}

/// A `ReplicaRunner` on its own connection, recording the seq of every event it applies.
final class RecordingReplica: Sendable {
    let store: PostgresStore
    let runner: ReplicaRunner
    private let seqs: AppliedSeqs
    private let running: Task<Void, any Error>

    var applied: [Int64] { seqs.list.withLock { $0 } }

    private init(store: PostgresStore, runner: ReplicaRunner, seqs: AppliedSeqs, running: Task<Void, any Error>) {
        self.store = store
        self.runner = runner
        self.seqs = seqs
        self.running = running
    }

    static func start(url: String, options: ReplicaOptions) async throws -> RecordingReplica {
        let store = try await PostgresStore.connect(url: url, gatewayId: PostgresRestartTests.gatewayId, password: nil)
        let seqs = AppliedSeqs()
        let runner = ReplicaRunner(store: store, replicaId: "r1", options: options) { event in
            seqs.list.withLock { $0.append(event.seq) }
        }
        let running = Task { try await runner.run() }
        return RecordingReplica(store: store, runner: runner, seqs: seqs, running: running)
    }

    func stop() {
        running.cancel()
        store.close()
    }
}

final class AppliedSeqs: Sendable {
    let list = Mutex<[Int64]>([])
}
