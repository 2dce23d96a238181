import ControlSocket
import Core
import Foundation
import Testing
import TestSupport

/// The control socket against a real store and a simulated platform: reads, the event stream,
/// decisions conditional on what the operator saw, syncs run by the controller, and the audit
/// row naming the caller the kernel saw.
struct ControlSocketTests {
    static let ssh = ["SSH_CONNECTION": "10.9.8.7 50022 10.0.0.1 22"]

    @Test func readsAnswerWhatTheStoreSaysWithoutKeyHashes() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a"), Fixtures.artifact("b")])
        try await f.store.addAPIKey(APIKeyRecord(
            id: "k1", artifactUUID: "a", name: "prod", maskedKey: "***9f", hashes: ["sha256": "secret-hash"], createdAt: .now))
        let h = try await ControlHarness.start(store: f.store)

        #expect(h.client.origin == .socket(h.path))
        let caller = try await h.client.whoami()
        #expect(caller.role == .operator && caller.peer?.uid == 0 && caller.actionRefusal == nil)
        let local = try await StatusReport.gather(store: f.store, thresholds: LagThresholds())
        #expect(try await h.client.status() == local)
        let snapshot = try await h.client.snapshot()
        #expect(Set(snapshot.artifacts.map(\.uuid)) == ["a", "b"] && snapshot.headSeq == 2)
        #expect(try await h.client.events(after: 1, limit: 10).map(\.seq) == [2])
        #expect(try await h.client.hubPosition().headSeq == 2)
        let board = try await h.client.dashboard(recentEvents: 10, lagWindow: .seconds(60))
        #expect(board.hub.headSeq == 2 && board.apiKeys == ["a": 1] && board.recentEvents.map(\.seq) == [2, 1])
        let detail = try await h.client.detail(uuid: "a")
        #expect(detail.keys.map(\.maskedKey) == ["***9f"])
        #expect(detail.keys.filter { !$0.hashes.isEmpty }.isEmpty, "key hashes never leave the controller")
        #expect(try await h.client.review(idOrArtifact: "42") == nil)
        #expect(try await h.client.listDeployments(since: nil) == nil, "no platform configured: null, not an error")
        await h.stop()
    }

    @Test func theEventStreamSendsTheBacklogThenWhatIsApplied() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a"), Fixtures.artifact("b")])
        let h = try await ControlHarness.start(store: f.store)
        var received: [Int64] = []
        for try await batch in h.client.stream(after: 0) {
            received += batch.map(\.seq)
            if received == [1, 2] {
                // What the replica applies next reaches the stream
                _ = try await f.store.upsertArtifacts([Fixtures.artifact("c")])
                for event in try await f.store.events(after: 2, limit: 10) { h.hub.publish(event) }
            }
            if received.count >= 3 { break }
        }
        #expect(received == [1, 2, 3])
        await h.stop()
    }

    @Test func decisionsApplyOnlyToTheRowSeenAndTheAuditNamesTheKernelsCaller() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 40) { sim in
            let engine = SyncEngine(store: f.store, platform: sim.client())
            try await Self.makePendingDeletion(engine, sim)
            let h = try await ControlHarness.start(store: f.store, engine: engine, platform: sim.client(), environment: Self.ssh)
            let review = try #require(try await h.client.reviews(statuses: [.pending]).first)

            // A decision on a row version the operator did not see is refused, nothing deleted
            let stale = ReviewVersion(status: review.status, updatedAt: review.updatedAt.adding(seconds: -5))
            let refused = try await h.client.decide(reviewId: review.id, decision: .approve, seen: stale, force: false)
            guard case .refused(let why) = refused else { Issue.record("expected a refusal, got \(refused)"); return }
            #expect(why.contains("changed since you saw it"), "\(why)")
            #expect(try await f.store.artifact(uuid: review.artifactUUID) != nil)

            // The row seen: deleted, and audited as root from the socket with the claimed address
            let refusal = try #require(try await f.store.auditEntries(limit: 1).first)
            #expect(refusal.outcome == "refused" && refusal.actor.user == "root", "the refusal is audited too")
            let result = try await h.client.decide(reviewId: review.id, decision: .approve, seen: ReviewVersion(review), force: false)
            guard case .deleted = result else { Issue.record("expected a deletion, got \(result)"); return }
            #expect(try await f.store.artifact(uuid: review.artifactUUID) == nil)
            let audit = try #require(try await f.store.auditEntries(limit: 1).first)
            #expect(audit.actor.user == "root" && audit.actor.clientAddress == "10.9.8.7")
            #expect(audit.actor.peer == "uid 0, pid \(getpid()), control socket", "\(String(describing: audit.actor.peer))")
            await h.stop()
        }
    }

    @Test func aSyncStartedThroughTheSocketRunsInTheControllerAndCanBeFollowed() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 60) { sim in
            let engine = SyncEngine(store: f.store, platform: sim.client())
            let h = try await ControlHarness.start(store: f.store, engine: engine, platform: sim.client(), environment: Self.ssh)
            let plan = try await h.client.plan()
            #expect(plan.plan.fetches.count == plan.listed - plan.plan.ignoredUndeployed)
            let id = try await h.client.startSync(trigger: .cli)
            var run = try await h.client.syncRun(id: id)
            let deadline = ContinuousClock.now + .seconds(30)
            while run?.finishedAt == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                run = try await h.client.syncRun(id: id)
            }
            let finished = try #require(run)
            #expect(finished.outcome == .succeeded && finished.requestedBy == "root@10.9.8.7" && finished.trigger == .cli)
            #expect(try await f.store.artifactCounts().total == finished.counters.fetched)
            #expect(try await h.client.syncRun(id: id + 100) == nil)
            await h.stop()
        }
    }

    /// Syncs, deletes one deployed artifact on the platform, syncs again: one pending deletion.
    static func makePendingDeletion(_ engine: SyncEngine, _ sim: SimulatorHarness) async throws {
        let actor = Principal(user: "test", clientAddress: nil)
        try await engine.run(trigger: .cli, requestedBy: actor)
        let gone = try #require(await sim.platform.all().first { $0.deployment?.state == .deployed }?.id)
        _ = await sim.platform.deleteArtifact(gone)
        try await engine.run(trigger: .cli, requestedBy: actor)
    }
}
