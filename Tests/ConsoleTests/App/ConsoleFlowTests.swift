import Core
import Foundation
import PlatformSim
import Testing
import TestSupport
import ConsoleTesting
@testable import Console

/// Whole console sessions through the test backend, against a real store and the simulator.
@Suite(.timeLimit(.minutes(2)))
struct ConsoleFlowTests {
    static let actor = Principal(user: "alice", clientAddress: "10.0.0.7")

    struct Session {
        let backend: TestBackend
        let stop = StopFlag()
        let done: Task<Void, Never>

        /// Waits until the screen contains `text`.
        func waitFor(_ text: String, seconds: Double = 15) async throws {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            while ContinuousClock.now < deadline {
                if backend.text.contains(text) { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("screen never showed \"\(text)\":\n\(backend.text)")
            throw HarnessError.timeout(text)
        }

        /// Sends keys one at a time, letting the UI loop take each.
        func press(_ keys: Key...) async throws {
            for key in keys {
                backend.send(key)
                while backend.pendingKeys > 0 { try await Task.sleep(for: .milliseconds(5)) }
                try await Task.sleep(for: .milliseconds(30))
            }
        }

        func quit() async {
            backend.send(.char("q"))
            await done.value
        }
    }

    static func start(_ f: StoreFixture, _ h: SimulatorHarness, readonly: Bool = false) -> Session {
        let backend = TestBackend(width: 120, height: 40)
        let engine = SyncEngine(store: f.store, platform: h.client())
        let header = HeaderInfo(
            gateway: StoreFixture.gatewayId, platformURL: h.baseURL, backend: "sqlite", location: f.sqlitePath,
            operatorName: actor.display, readonly: readonly)
        let service = LocalGatewayService(
            store: f.store, engine: engine, platform: h.client(), thresholds: LagThresholds(), actor: actor,
            actionRefusal: readonly ? "read-only console (started with --readonly)" : nil)
        let session = ConsoleSession(
            service: service, header: header,
            refresh: .milliseconds(200), themeName: "default", logger: .silent("test"))
        let env = ["USER": actor.user, "SSH_CONNECTION": "10.0.0.7 50000 10.0.0.1 22"]
        let done = Task { await session.run(on: backend, theme: .test, environment: env) }
        return Session(backend: backend, done: done)
    }

    /// Syncs, deletes one artifact on the platform, syncs again: returns the pending deletion's id.
    static func pendingDeletion(_ f: StoreFixture, _ h: SimulatorHarness, withKeyAndSubscription: Bool) async throws -> String {
        let engine = SyncEngine(store: f.store, platform: h.client())
        try await engine.run(trigger: .cli, requestedBy: actor)
        let gone = try #require(await h.platform.all().first { $0.deployment?.state == .deployed }?.id)
        if withKeyAndSubscription {
            try await f.store.addAPIKey(APIKeyRecord(id: "k1", artifactUUID: gone, name: "prod", createdAt: .now))
            try await f.store.addSubscription(SubscriptionRecord(id: "s1", artifactUUID: gone, applicationId: "app", createdAt: .now))
        }
        _ = await h.platform.deleteArtifact(gone)
        try await engine.run(trigger: .cli, requestedBy: actor)
        return gone
    }

    @Test func resyncShowsThePlanAndYStartsTheSync() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 120) { h in
            // Given an empty store and a console
            let s = Self.start(f, h)
            try await s.waitFor("gw-test")
            // When S shows the plan and y confirms
            try await s.press(.char("S"))
            try await s.waitFor("y start sync")
            try await s.waitFor("fetch 1")
            try await s.press(.char("y"))
            // Then the sync view shows the run finishing, and the store has the artifacts
            try await s.waitFor("succeeded")
            let run = try #require(try await f.store.syncRuns(limit: 1).first)
            #expect(run.trigger == .console)
            #expect(run.requestedBy == "alice@10.0.0.7")
            #expect(try await f.store.artifactCounts().total == run.counters.fetched)
            await s.quit()
            #expect(s.backend.isShutDown)
        }
    }

    @Test func aPlatformSlowToAnswerDoesNotHoldTheStoresViewBack() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 30) { h in
            // Given a synced store, and a platform whose listing now takes 20 s to answer
            try await SyncEngine(store: f.store, platform: h.client()).run(trigger: .cli, requestedBy: Self.actor)
            let total = try await f.store.artifactCounts().total
            await h.platform.addFault(SimFault(endpoint: .deployments, count: 100, delayMs: 20_000))
            // When a console starts
            let s = Self.start(f, h)
            // Then the gateway and its artifacts show while the platform has not answered yet
            try await s.waitFor("ARTIFACTS \(total) ")
            #expect(s.backend.text.contains("gw-test"))
            #expect(s.backend.text.contains("platform ? unknown"), "\(s.backend.text)")
            await s.quit()
        }
    }

    @Test func approvingAnOrphanDeletesItWithKeysAndSubscriptionsAndAudits() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 80) { h in
            // Given an orphan with a key and a subscription
            let gone = try await Self.pendingDeletion(f, h, withKeyAndSubscription: true)
            let s = Self.start(f, h)
            // When the operator opens the orphans view and approves with A, then y
            try await s.press(.char("3"))
            try await s.waitFor("PendingDeletion")
            try await s.press(.char("A"))
            try await s.waitFor("Approve deletion")
            try await s.waitFor("1 API key(s) and 1 subscription(s)")
            try await s.press(.char("A"))
            #expect(try await f.store.artifact(uuid: gone) != nil, "the starting key does not confirm")
            try await s.press(.char("y"))
            try await s.waitFor("deleted 1 (1 keys, 1 subscriptions)")
            // Then the artifact, its key and its subscription are gone, and the audit names the operator
            #expect(try await f.store.artifact(uuid: gone) == nil)
            #expect(try await f.store.dependents(of: [gone])[gone] == Dependents())
            let audit = try #require(try await f.store.auditEntries(limit: 1).first)
            #expect(audit.action == "review.approve" && audit.outcome == "deleted")
            #expect(audit.actor == Self.actor)
            await s.quit()
        }
    }

    @Test func readOnlyConsoleRefusesTheSameKeysAndSaysWhy() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 80) { h in
            let gone = try await Self.pendingDeletion(f, h, withKeyAndSubscription: false)
            let s = Self.start(f, h, readonly: true)
            try await s.waitFor(" RO ")
            try await s.press(.char("S"))
            try await s.waitFor("read-only")
            #expect(!s.backend.text.contains("Resync: plan"))
            try await s.press(.char("3"))
            try await s.waitFor("PendingDeletion")
            try await s.press(.char("A"), .char("y"))
            try await s.waitFor("read-only")
            #expect(!s.backend.text.contains("Approve deletion"))
            #expect(try await f.store.artifact(uuid: gone) != nil)
            #expect(try await f.store.syncRuns(limit: 10).count == 2)
            await s.quit()
        }
    }
}
