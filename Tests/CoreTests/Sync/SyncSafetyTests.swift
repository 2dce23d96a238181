import Foundation
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// Regression tests for ways a sync could delete, hide or lose something (found in review).
struct SyncSafetyTests {
    static let actor = Principal(user: "ops", clientAddress: nil)

    @Test(arguments: Backend.allCases)
    func autoPolicyNeverDeletesOnAnOlderVerdictWhenTheCheckFails(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 100) { h in
            // Given an orphan found pending under the review policy
            let review = SyncEndToEndTests.engine(f, h)
            try await review.run(trigger: .cli, requestedBy: Self.actor)
            let gone = try #require(await SyncEndToEndTests.deployedIds(h.platform).first)
            _ = await h.platform.deleteArtifact(gone)
            try await review.run(trigger: .cli, requestedBy: Self.actor)
            #expect(try await f.store.reviewHistory(artifactUUID: gone).first?.status == .pending)
            // When the operator switches to auto and the exists check fails
            await h.platform.addFault(SimFault(endpoint: .exists, status: 500, count: 100))
            let auto = SyncEndToEndTests.engine(f, h) { $0.orphanPolicy = .auto }
            let run = try await auto.run(trigger: .cli, requestedBy: Self.actor)
            // Then nothing is deleted
            #expect(run.counters.deleted == 0)
            #expect(try await f.store.artifact(uuid: gone) != nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func retainedArtifactListedAgainIsDeployedAgainAndReplicasSeeIt(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 50) { h in
            let engine = SyncEndToEndTests.engine(f, h)
            try await engine.run(trigger: .cli, requestedBy: Self.actor)
            let id = try #require(await SyncEndToEndTests.deployedIds(h.platform).first)
            let record = try #require(await h.platform.artifact(id)?.deployment)
            // Given an artifact retained while its deployment was briefly missing from the listing
            _ = await h.platform.deleteDeployment(id)
            try await engine.run(trigger: .cli, requestedBy: Self.actor)
            #expect(try await f.store.artifact(uuid: id)?.desiredState == .undeployed)
            // When the same deployment (same id and time) is listed again
            await h.platform.restoreDeployment(id, record)
            let head = try await f.store.position().headSeq
            let run = try await engine.run(trigger: .cli, requestedBy: Self.actor)
            // Then it is deployed again, with an event for the replicas
            #expect(run.counters.statusUpdated == 1)
            #expect(try await f.store.artifact(uuid: id)?.desiredState == .deployed)
            let events = try await f.store.events(after: head, limit: 10)
            #expect(events.contains { $0.entityId == id && ArtifactEvents.decode($0)?.desiredState == .deployed })
        }
    }

    @Test(arguments: Backend.allCases)
    func artifactDeletedThenListedAgainPublishesItsCreateAgain(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        let a = Fixtures.artifact("a")
        _ = try await f.store.upsertArtifacts([a])
        let review = try #require(
            try await f.store.recordOrphan(a.summary, verdict: .deletedOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action))
        _ = try await f.store.decide(reviewId: review.id, decision: .approve, actor: Self.actor, allowUnverified: false)
        // The same deployment (same etag) comes back: its CREATE must not be deduplicated away.
        #expect(try await f.store.upsertArtifacts([a]) == [.inserted])
        let events = try await f.store.events(after: 0, limit: 10)
        #expect(events.map(\.action) == [.create, .delete, .create])
        #expect(Set(events.map(\.eventId)).count == 3)
    }

    @Test(arguments: Backend.allCases)
    func approvalIsSupersededWhenKeysWereAddedAfterTheReview(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a")])
        let review = try #require(
            try await f.store.recordOrphan(Fixtures.summary("a"), verdict: .deletedOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action))
        try await f.store.addAPIKey(APIKeyRecord(id: "late", artifactUUID: "a", name: "new key", createdAt: .now))
        let result = try await f.store.decide(reviewId: review.id, decision: .approve, actor: Self.actor, allowUnverified: false)
        #expect(result == .superseded)
        #expect(try await f.store.artifact(uuid: "a") != nil)
        #expect(try await f.store.dependents(of: ["a"])["a"]?.apiKeys == 1)
    }

    @Test(arguments: Backend.allCases)
    func emptyListingSkipsOrphanChecksInsteadOfUndeployingEverything(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 60) { h in
            let engine = SyncEndToEndTests.engine(f, h)
            try await engine.run(trigger: .cli, requestedBy: Self.actor)
            let local = try await f.store.artifactCounts().deployed
            // When most deployments vanish from the listing at once
            for id in await SyncEndToEndTests.deployedIds(h.platform).prefix(local - 5) { _ = await h.platform.deleteDeployment(id) }
            let run = try await engine.run(trigger: .cli, requestedBy: Self.actor)
            // Then nothing is retained or queued, and the run says why
            #expect(run.outcome == .partial)
            #expect(run.errors.contains { $0.contains("orphan check skipped") })
            #expect(try await f.store.artifactCounts().deployed == local)
            #expect(try await f.store.reviews(statuses: ReviewStatus.allCases, limit: 100).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func cancelledSyncClosesItsRunAndReleasesTheLease(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 400) { h in
            await h.platform.addFault(SimFault(endpoint: .fetchBatch, count: 1000, delayMs: 200))
            let engine = SyncEndToEndTests.engine(f, h)
            let task = Task { try await engine.run(trigger: .cli, requestedBy: Self.actor) }
            try await waitUntil(seconds: 20) { try await f.store.syncRuns(limit: 1).first?.phase == .fetching }
            task.cancel()
            _ = try? await task.value
            let run = try #require(try await f.store.syncRuns(limit: 1).first)
            #expect(run.outcome == .failed)
            #expect(run.errors.contains { $0.contains("cancelled") })
            // The lease is free: another sync starts at once.
            await h.platform.clearFaults()
            let next = try await engine.run(trigger: .cli, requestedBy: Self.actor)
            #expect(next.outcome == .succeeded)
        }
    }

    @Test(arguments: Backend.allCases)
    func syncThatLosesItsLeaseStops(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 400) { h in
            await h.platform.addFault(SimFault(endpoint: .fetchBatch, count: 1000, delayMs: 200))
            let engine = SyncEndToEndTests.engine(f, h) { $0.leaseTTL = .milliseconds(600) }
            let task = Task { try await engine.run(trigger: .cli, requestedBy: Self.actor) }
            try await waitUntil(seconds: 20) { try await f.store.syncRuns(limit: 1).first?.phase == .fetching }
            // Another process takes the lease over (as if this one had been paused past its TTL).
            let other = try await f.openAnother()
            try await other.stealSyncLeaseForTesting()
            await #expect(throws: SyncError.self) { try await task.value }
            let run = try #require(try await f.store.syncRuns(limit: 2).last)
            #expect(run.outcome == .failed)
            #expect(run.errors.contains { $0.contains("lease was lost") })
        }
    }
}
