import Foundation
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// Startup sync against the real simulator over loopback HTTP, on every backend.
struct SyncEndToEndTests {
    static let operatorActor = Principal(user: "alice", clientAddress: "10.0.0.7")

    static func engine(_ f: StoreFixture, _ h: SimulatorHarness, configure: (inout SyncOptions) -> Void = { _ in }) -> SyncEngine {
        var options = SyncOptions()
        configure(&options)
        // Retries wait on a clock that does not sleep: the tests take no time for them.
        return SyncEngine(store: f.store, platform: h.client(), options: options, clock: ImmediateClock())
    }

    /// Ids of simulator artifacts with a DEPLOYED deployment.
    static func deployedIds(_ platform: SimulatedPlatform) async -> [String] {
        await platform.all().filter { $0.deployment?.state == .deployed }.map(\.id)
    }

    @Test(arguments: Backend.allCases)
    func firstSyncOf2000AndChangesProduceExactlyTheirOutcomes(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 2000) { h in
            // Given a first sync of 2,000 deployments
            let engine = Self.engine(f, h)
            let first = try await engine.run(trigger: .cli, requestedBy: Self.operatorActor)
            let deployed = await Self.deployedIds(h.platform)
            #expect(first.outcome == .succeeded)
            #expect(first.counters.listed == 2000)
            #expect(first.counters.fetched == deployed.count)
            #expect(try await f.store.artifactCounts().total == deployed.count)
            #expect(try await f.store.position().headSeq == Int64(deployed.count))

            // When the platform undeploys, redeploys, drops deployments and deletes artifacts
            let undeployed = Array(deployed[0..<3]), redeployed = Array(deployed[3..<6])
            let retained = Array(deployed[6..<9]), deleted = Array(deployed[9..<12])
            for id in undeployed { _ = await h.platform.undeploy(id) }
            for id in redeployed { _ = await h.platform.deploy(id) }
            for id in retained { _ = await h.platform.deleteDeployment(id) }
            for id in deleted { _ = await h.platform.deleteArtifact(id) }
            try await f.store.addAPIKey(APIKeyRecord(id: "k1", artifactUUID: deleted[0], name: "prod", createdAt: .now))
            try await f.store.addSubscription(SubscriptionRecord(id: "s1", artifactUUID: deleted[0], applicationId: "app", createdAt: .now))
            let second = try await engine.run(trigger: .cli, requestedBy: Self.operatorActor)

            // Then the second sync produces exactly those outcomes
            #expect(second.outcome == .succeeded)
            #expect(second.counters.statusUpdated == 3)
            #expect(second.counters.fetched == 3)
            #expect(second.counters.retained == 3)
            #expect(second.counters.pendingDeletion == 3)
            #expect(second.counters.deleted == 0)
            for id in undeployed { #expect(try await f.store.artifact(uuid: id)?.desiredState == .undeployed) }
            for id in redeployed {
                let expected = await h.platform.artifact(id)?.deployment?.deploymentId
                #expect(try await f.store.artifact(uuid: id)?.deploymentId == expected)
            }
            for id in retained {
                #expect(try await f.store.artifact(uuid: id)?.desiredState == .undeployed)
                #expect(try await f.store.reviewHistory(artifactUUID: id).first?.status == .retained)
            }
            for id in deleted {
                #expect(try await f.store.artifact(uuid: id) != nil, "nothing is deleted without a decision")
                #expect(try await f.store.reviewHistory(artifactUUID: id).first?.status == .pending)
            }

            // And approving deletes the artifact with its keys and subscriptions
            let review = try #require(try await f.store.reviewHistory(artifactUUID: deleted[0]).first)
            let result = try await f.store.decide(reviewId: review.id, decision: .approve, actor: Self.operatorActor, allowUnverified: false)
            #expect(result == .deleted(Dependents(apiKeys: 1, subscriptions: 1)))
            #expect(try await f.store.artifact(uuid: deleted[0]) == nil)
            #expect(try await f.store.dependents(of: [deleted[0]])[deleted[0]] == Dependents())

            // And a third sync finds nothing new to do
            let third = try await engine.run(trigger: .cli, requestedBy: Self.operatorActor)
            #expect(third.counters.fetched == 0 && third.counters.statusUpdated == 0)
            #expect(third.counters.pendingDeletion == 2 && third.counters.retained == 3)
            #expect(try await f.store.reviews(statuses: [.pending, .retained], limit: 100).count == 5)
        }
    }

    @Test(arguments: Backend.allCases)
    func failedExistsCheckDeletesNothingAndMarksOrphansUnverified(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 200) { h in
            // Given a synced store, auto deletion, and two artifacts gone from the platform
            let engine = Self.engine(f, h) { $0.orphanPolicy = .auto }
            try await engine.run(trigger: .cli, requestedBy: Self.operatorActor)
            let gone = Array(await Self.deployedIds(h.platform).prefix(2))
            for id in gone { _ = await h.platform.deleteArtifact(id) }
            // When every exists call fails with 500
            await h.platform.addFault(SimFault(endpoint: .exists, status: 500, count: 100))
            let run = try await engine.run(trigger: .cli, requestedBy: Self.operatorActor)
            // Then nothing is deleted, the orphans are unverified, and the run says why
            #expect(run.outcome == .partial)
            #expect(run.counters.deleted == 0 && run.counters.unverified == 2)
            #expect(run.errors.contains { $0.contains("exists check failed") && $0.contains("500") })
            for id in gone {
                #expect(try await f.store.artifact(uuid: id) != nil)
                #expect(try await f.store.reviewHistory(artifactUUID: id).first?.verdict == .unverified)
            }
            // And once the platform answers again, auto policy deletes them
            await h.platform.clearFaults()
            let healed = try await engine.run(trigger: .cli, requestedBy: Self.operatorActor)
            #expect(healed.counters.deleted == 2)
            for id in gone { #expect(try await f.store.artifact(uuid: id) == nil) }
        }
    }

    @Test(arguments: Backend.allCases)
    func failedBatchIsReportedWhileOtherBatchesApply(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 600) { h in
            // Given fetch-batch failing for every attempt of the first batch
            await h.platform.addFault(SimFault(endpoint: .fetchBatch, status: 500, count: 3))
            let engine = Self.engine(f, h) { $0.fetchConcurrency = 1 }
            // When a first sync runs
            let run = try await engine.run(trigger: .cli, requestedBy: Self.operatorActor)
            // Then one batch of 50 is missing and reported, the rest is applied
            let deployed = await Self.deployedIds(h.platform).count
            #expect(run.outcome == .partial)
            #expect(run.counters.errors == 1)
            #expect(run.errors.first?.contains("not applied") == true)
            #expect(run.counters.fetched == deployed - 50)
            #expect(try await f.store.artifactCounts().total == deployed - 50)
            // And the next sync converges
            let next = try await engine.run(trigger: .cli, requestedBy: Self.operatorActor)
            #expect(next.outcome == .succeeded && next.counters.fetched == 50)
            #expect(try await f.store.artifactCounts().total == deployed)
        }
    }

    @Test(arguments: Backend.allCases)
    func listingFailureAbortsWithoutChanges(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 100) { h in
            let engine = Self.engine(f, h)
            try await engine.run(trigger: .cli, requestedBy: Self.operatorActor)
            let head = try await f.store.position().headSeq
            await h.platform.addFault(SimFault(endpoint: .deployments, status: 500, count: 5))
            await #expect(throws: SyncError.self) { try await engine.run(trigger: .cli, requestedBy: Self.operatorActor) }
            let last = try #require(try await f.store.syncRuns(limit: 1).first)
            #expect(last.outcome == .failed)
            #expect(last.errors.contains { $0.contains("500") })
            #expect(try await f.store.position().headSeq == head)
            #expect(try await f.store.reviews(statuses: ReviewStatus.allCases, limit: 10).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentSyncsRunOneAtATime(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 100) { h in
            // Given a slow listing so the first sync holds the lease
            await h.platform.addFault(SimFault(endpoint: .deployments, count: 1, delayMs: 800))
            let other = try await f.openAnother()
            let a = Self.engine(f, h)
            let b = SyncEngine(store: other, platform: h.client())
            // When two syncs start together
            async let first: Result<SyncRunRecord, Error> = await Result(catching: { try await a.run(trigger: .cli, requestedBy: Self.operatorActor) })
            try await Task.sleep(for: .milliseconds(200))
            async let second: Result<SyncRunRecord, Error> = await Result(catching: { try await b.run(trigger: .console, requestedBy: Self.operatorActor) })
            let results = await [first, second]
            // Then one runs and the other reports that a sync is busy
            let busy = results.filter { if case .failure(let e) = $0, case SyncError.busy = e { true } else { false } }
            #expect(busy.count == 1)
            #expect(results.contains { if case .success(let r) = $0 { r.outcome == .succeeded } else { false } })
        }
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
