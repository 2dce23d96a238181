import Foundation
import Testing
import TestSupport
@testable import Core

extension StoreConformance {
    /// Storage conformance, `ReviewStore` and `EventLog`: every method, its edge cases, on every
    /// backend. (Approval, conditional retain and delete are in `GuardedWriteTests`; ordering,
    /// duplicates, gaps and retention of the hub in `EventHubTests`.)
    @Suite struct ReviewAndEventConformanceTests {
        let t0 = Timestamp(milliseconds: 1_700_000_000_000)
        let operatorActor = Principal(user: "alice", clientAddress: "10.0.0.7")

        func orphan(_ f: StoreFixture, _ uuid: String, _ verdict: OrphanVerdict, run: Int64? = nil) async throws -> OrphanReview {
            try #require(try await f.store.recordOrphan(
                Fixtures.summary(uuid, deployedAt: t0), verdict: verdict, reason: "gone from the listing", runId: run, decide: ReviewRules.action))
        }

        @Test(arguments: Backend.allCases)
        func recordingAnOrphanOpensOneReviewAndRecordingItAgainKeepsIt(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
            try await f.store.addAPIKey(APIKeyRecord(id: "k", artifactUUID: "a", name: "n", createdAt: t0))
            let review = try await orphan(f, "a", .deletedOnPlatform, run: 7)
            #expect(review.artifactUUID == "a" && review.kind == .restApi && review.handle == "h-a" && review.status == .pending)
            #expect(review.verdict == .deletedOnPlatform && review.apiKeys == 1 && review.subscriptions == 0 && review.detectedRun == 7)
            #expect(review.reason == "gone from the listing" && review.decidedBy == nil && review.decidedAt == nil)
            #expect(review.rowVersion == Fixtures.summary("a", deployedAt: t0).rowVersion)
            let again = try await orphan(f, "a", .deletedOnPlatform)
            #expect(again.id == review.id)
            #expect(try await f.store.review(id: review.id) == again)
            #expect(try await f.store.reviewHistory(artifactUUID: "a").map(\.id) == [review.id])
            #expect(try await f.store.review(id: review.id + 1000) == nil)
        }

        @Test(arguments: Backend.allCases)
        func aRetainedOrphanIsUndeployedAndConfirmedByAnOperator(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
            let review = try await orphan(f, "a", .existsOnPlatform)
            #expect(review.status == .retained)
            #expect(try await f.store.artifact(uuid: "a")?.desiredState == .undeployed, "retaining undeploys the row")
            // Approving or rejecting a retained artifact is refused in words; nothing changes
            let approve = try await f.store.decide(reviewId: review.id, decision: .approve, actor: operatorActor, allowUnverified: false)
            #expect(approve == .refused("review \(review.id) is retained; only pending deletions can be approved"))
            let confirmed = try await f.store.decide(reviewId: review.id, decision: .confirmRetention, actor: operatorActor, allowUnverified: false)
            #expect(confirmed == .retentionConfirmed)
            let stored = try #require(try await f.store.review(id: review.id))
            #expect(stored.status == .retentionConfirmed && stored.decidedBy == "alice" && stored.decidedFrom == "10.0.0.7" && stored.decidedAt != nil)
            #expect(try await f.store.artifact(uuid: "a") != nil, "a retention never deletes")
            let audit = try await f.store.auditEntries(limit: 5)
            #expect(audit.map(\.outcome) == ["retention_confirmed", "refused"])
        }

        @Test(arguments: Backend.allCases)
        func aRejectionSticksAndAnUnknownReviewIsRefused(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
            let review = try await orphan(f, "a", .deletedOnPlatform)
            #expect(try await f.store.decide(reviewId: review.id, decision: .reject, actor: operatorActor, allowUnverified: false) == .rejected)
            #expect(try await f.store.review(id: review.id)?.status == .rejected)
            // The next sync finds the same orphan: the rejection stands
            #expect(try await f.store.recordOrphan(Fixtures.summary("a", deployedAt: t0), verdict: .deletedOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action)?.status == .rejected)
            #expect(try await f.store.artifact(uuid: "a") != nil)
            guard case .refused = try await f.store.decide(reviewId: review.id + 1000, decision: .approve, actor: operatorActor, allowUnverified: false) else {
                Issue.record("deciding an unknown review was not refused")
                return
            }
        }

        @Test(arguments: Backend.allCases)
        func anUnverifiedOrphanNeedsTheStrongerConfirmation(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
            let review = try await orphan(f, "a", .unverified)
            guard case .refused = try await f.store.decide(reviewId: review.id, decision: .approve, actor: operatorActor, allowUnverified: false) else {
                Issue.record("an unverified orphan was approved without --force")
                return
            }
            #expect(try await f.store.artifact(uuid: "a") != nil)
            #expect(try await f.store.decide(reviewId: review.id, decision: .approve, actor: operatorActor, allowUnverified: true) == .deleted(Dependents()))
            #expect(try await f.store.artifact(uuid: "a") == nil)
            #expect(try await f.store.review(id: review.id)?.status == .deleted)
        }

        @Test(arguments: Backend.allCases)
        func listedAgainSupersedesOpenReviewsOnly(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts(["a", "b", "c"].map { Fixtures.artifact($0, deployedAt: t0) })
            let a = try await orphan(f, "a", .deletedOnPlatform), b = try await orphan(f, "b", .existsOnPlatform)
            let c = try await orphan(f, "c", .deletedOnPlatform)
            _ = try await f.store.decide(reviewId: c.id, decision: .reject, actor: operatorActor, allowUnverified: false)
            #expect(try await f.store.supersedeReviews(artifactIds: ["a", "b", "c", "nobody"]) == 2)
            #expect(try await f.store.review(id: a.id)?.status == .superseded)
            #expect(try await f.store.review(id: b.id)?.status == .superseded)
            #expect(try await f.store.review(id: c.id)?.status == .rejected)
            #expect(try await f.store.supersedeReviews(artifactIds: []) == 0)
        }

        @Test(arguments: Backend.allCases)
        func reviewsAreListedByStatusNewestFirst(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts(["a", "b", "c"].map { Fixtures.artifact($0, deployedAt: t0) })
            let a = try await orphan(f, "a", .deletedOnPlatform), b = try await orphan(f, "b", .existsOnPlatform)
            let c = try await orphan(f, "c", .deletedOnPlatform)
            #expect(try await f.store.reviews(statuses: [.pending, .retained], limit: 10).map(\.id) == [c.id, b.id, a.id])
            #expect(try await f.store.reviews(statuses: [.pending], limit: 10).map(\.id) == [c.id, a.id])
            #expect(try await f.store.reviews(statuses: [.pending, .retained], limit: 2).map(\.id) == [c.id, b.id])
            #expect(try await f.store.reviews(statuses: [.deleted], limit: 10).isEmpty)
            #expect(try await f.store.reviews(statuses: [], limit: 10).isEmpty)
            // A changed artifact opens a new review and supersedes the old one: the history has both, newest first
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deploymentId: "dep-2", deployedAt: Timestamp(milliseconds: t0.milliseconds + 5))])
            let newer = try #require(try await f.store.recordOrphan(
                Fixtures.summary("a", deploymentId: "dep-2", deployedAt: Timestamp(milliseconds: t0.milliseconds + 5)), verdict: .deletedOnPlatform,
                reason: nil, runId: nil, decide: ReviewRules.action))
            #expect(try await f.store.reviewHistory(artifactUUID: "a").map(\.id) == [newer.id, a.id])
            #expect(try await f.store.review(id: a.id)?.status == .superseded)
        }

        @Test(arguments: Backend.allCases)
        func theHubsReadsRecentEventsPositionAndPruning(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            #expect(try await f.store.recentEvents(limit: 10).isEmpty)
            #expect(try await f.store.position().headSeq == 0)
            #expect(try await f.store.processedAt(seq: 1) == nil)
            let before = try await f.store.databaseNow()
            let seqs = try await f.store.publish((1...5).map {
                NewEvent(eventId: "e\($0)", entityType: "RestApi", action: .update, entityId: "x\($0)", eventData: "{}", originatedAt: t0)
            })
            #expect(seqs == [1, 2, 3, 4, 5])
            #expect(try await f.store.recentEvents(limit: 3).map(\.seq) == [5, 4, 3], "newest first")
            #expect(try await f.store.events(after: 3, limit: 10).map(\.seq) == [4, 5])
            #expect(try await f.store.events(after: 0, limit: 2).map(\.seq) == [1, 2])
            let processed = try #require(try await f.store.processedAt(seq: 2))
            #expect(processed >= before)
            #expect(abs(processed.seconds(since: try await f.store.databaseNow())) < 60)
            let stored = try #require(try await f.store.events(after: 0, limit: 1).first)
            #expect(stored.eventId == "e1" && stored.entityType == "RestApi" && stored.entityId == "x1" && stored.eventData == "{}" && stored.originatedAt == t0)
            // Pruning before a cutoff later than every event removes them all, and says how many
            let cutoff = (try await f.store.databaseNow()).adding(seconds: 1)
            #expect(try await f.store.pruneEvents(processedBefore: cutoff) == 5)
            let position = try await f.store.position()
            #expect(position.headSeq == 5, "the head never moves back")
            #expect(try await f.store.processedAt(seq: 1) == nil)
            // The snapshot is the artifacts and the head, together
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
            let snapshot = try await f.store.viewSnapshot()
            #expect(snapshot.artifacts == [Fixtures.summary("a", deployedAt: t0)] && snapshot.headSeq == 6)
        }
    }
}
