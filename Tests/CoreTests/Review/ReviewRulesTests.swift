import Testing
import TestSupport
@testable import Core

struct ReviewRulesTests {
    let row = RowVersion(deploymentId: "d1", deployedAt: Timestamp(milliseconds: 1))
    let otherRow = RowVersion(deploymentId: "d2", deployedAt: Timestamp(milliseconds: 2))

    func review(_ status: ReviewStatus, _ verdict: OrphanVerdict, row: RowVersion? = nil) -> OrphanReview {
        OrphanReview(
            id: 7, artifactUUID: "a", kind: .restApi, handle: "h", rowVersion: row ?? self.row, verdict: verdict, status: status,
            apiKeys: 0, subscriptions: 0, detectedRun: 1, detectedAt: Timestamp(microseconds: 0), reason: nil, decidedBy: nil,
            decidedFrom: nil, decidedAt: nil, updatedAt: Timestamp(microseconds: 0))
    }

    @Test func firstSightingOpensAReview() {
        #expect(ReviewRules.action(latest: nil, row: row, verdict: .deletedOnPlatform) == .insert(verdict: .deletedOnPlatform, status: .pending, supersede: nil))
        #expect(ReviewRules.action(latest: nil, row: row, verdict: .existsOnPlatform) == .insert(verdict: .existsOnPlatform, status: .retained, supersede: nil))
        #expect(ReviewRules.action(latest: nil, row: row, verdict: .unverified) == .insert(verdict: .unverified, status: .pending, supersede: nil))
    }

    @Test func rejectionSticksUntilTheArtifactChanges() {
        #expect(ReviewRules.action(latest: review(.rejected, .deletedOnPlatform), row: row, verdict: .deletedOnPlatform) == .keep)
        #expect(
            ReviewRules.action(latest: review(.rejected, .deletedOnPlatform), row: otherRow, verdict: .deletedOnPlatform)
                == .insert(verdict: .deletedOnPlatform, status: .pending, supersede: nil))
    }

    @Test func changedRowSupersedesAnOpenReview() {
        #expect(
            ReviewRules.action(latest: review(.pending, .deletedOnPlatform), row: otherRow, verdict: .deletedOnPlatform)
                == .insert(verdict: .deletedOnPlatform, status: .pending, supersede: 7))
    }

    @Test func failedCheckDoesNotEraseAnEarlierVerdict() {
        #expect(ReviewRules.action(latest: review(.pending, .deletedOnPlatform), row: row, verdict: .unverified) == .keep)
    }

    @Test func unverifiedBecomesPendingDeletionOnceChecked() {
        #expect(
            ReviewRules.action(latest: review(.pending, .unverified), row: row, verdict: .deletedOnPlatform)
                == .update(reviewId: 7, verdict: .deletedOnPlatform, status: .pending))
    }

    @Test func unverifiedApprovalNeedsForce() {
        let r = review(.pending, .unverified)
        #expect(ReviewRules.check(.approve, on: r, allowUnverified: false) != nil)
        #expect(ReviewRules.check(.approve, on: r, allowUnverified: true) == nil)
    }

    @Test func decisionsApplyOnlyToTheirStatus() {
        #expect(ReviewRules.check(.confirmRetention, on: review(.pending, .deletedOnPlatform), allowUnverified: false) != nil)
        #expect(ReviewRules.check(.confirmRetention, on: review(.retained, .existsOnPlatform), allowUnverified: false) == nil)
        #expect(ReviewRules.check(.approve, on: review(.retained, .existsOnPlatform), allowUnverified: true) != nil)
        #expect(ReviewRules.check(.reject, on: review(.deleted, .deletedOnPlatform), allowUnverified: false) != nil)
    }
}

extension ReviewRulesTests {
    @Test func failedCheckKeepsAConfirmedRetention() {
        #expect(ReviewRules.action(latest: review(.retentionConfirmed, .existsOnPlatform), row: row, verdict: .unverified) == .keep)
        #expect(
            ReviewRules.action(latest: review(.retentionConfirmed, .existsOnPlatform), row: row, verdict: .deletedOnPlatform)
                == .update(reviewId: 7, verdict: .deletedOnPlatform, status: .pending))
    }
}

extension ReviewRulesTests {
    /// What an allowed decision does, as a table: (why, decision, the row now, dependents now,
    /// the result). The reviewed row has 1 key and 2 subscriptions.
    @Test(arguments: [
        ("approve the reviewed row", ReviewDecision.approve, "same", 1, 2, DecisionResult.deleted(Dependents(apiKeys: 1, subscriptions: 2))),
        ("approve with fewer dependents now", .approve, "same", 0, 1, .deleted(Dependents(apiKeys: 0, subscriptions: 1))),
        ("approve a row redeployed since", .approve, "other", 1, 2, .superseded),
        ("approve a row gone since", .approve, "gone", 0, 0, .superseded),
        ("approve after a key was added", .approve, "same", 2, 2, .superseded),
        ("approve after a subscription was added", .approve, "same", 1, 3, .superseded),
        ("reject", .reject, "other", 5, 5, .rejected),
        ("confirm retention", .confirmRetention, "gone", 0, 0, .retentionConfirmed),
    ] as [(String, ReviewDecision, String, Int, Int, DecisionResult)])
    func decisionOutcome(why: String, decision: ReviewDecision, now: String, keys: Int, subscriptions: Int, expected: DecisionResult) {
        var reviewed = review(.pending, .deletedOnPlatform)
        reviewed.apiKeys = 1
        reviewed.subscriptions = 2
        let current: RowVersion? = now == "same" ? row : now == "other" ? otherRow : nil
        let result = ReviewRules.outcome(
            decision, on: reviewed, current: current, dependents: Dependents(apiKeys: keys, subscriptions: subscriptions))
        #expect(result == expected, "\(why)")
    }
}
