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
