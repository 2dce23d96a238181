/// What the exists check said about an orphan.
public enum OrphanVerdict: String, Sendable, Codable, Hashable, CaseIterable {
    case deletedOnPlatform = "deleted_on_platform"
    case existsOnPlatform = "exists_on_platform"
    case unverified
}

/// Where the operator's decision on an orphan stands.
public enum ReviewStatus: String, Sendable, Codable, Hashable, CaseIterable {
    case pending
    case approved
    case rejected
    case retained
    case retentionConfirmed = "retention_confirmed"
    case deleted
    case superseded

    /// Statuses that still wait for something (a decision or the deletion itself).
    public static let open: [ReviewStatus] = [.pending, .approved, .retained]
}

/// One orphan and the decision about it.
public struct OrphanReview: Sendable, Codable, Equatable {
    public var id: Int64
    public var artifactUUID: String
    public var kind: ArtifactKind
    public var handle: String
    /// The artifact row this review is about; decisions apply only while it is unchanged.
    public var rowVersion: RowVersion
    public var verdict: OrphanVerdict
    public var status: ReviewStatus
    public var apiKeys: Int
    public var subscriptions: Int
    public var detectedRun: Int64?
    public var detectedAt: Timestamp
    /// Why the verdict is what it is (e.g. the failed exists check).
    public var reason: String?
    public var decidedBy: String?
    public var decidedFrom: String?
    public var decidedAt: Timestamp?
    public var updatedAt: Timestamp

    public init(
        id: Int64, artifactUUID: String, kind: ArtifactKind, handle: String, rowVersion: RowVersion,
        verdict: OrphanVerdict, status: ReviewStatus, apiKeys: Int, subscriptions: Int, detectedRun: Int64?,
        detectedAt: Timestamp, reason: String?, decidedBy: String?, decidedFrom: String?,
        decidedAt: Timestamp?, updatedAt: Timestamp
    ) {
        self.id = id
        self.artifactUUID = artifactUUID
        self.kind = kind
        self.handle = handle
        self.rowVersion = rowVersion
        self.verdict = verdict
        self.status = status
        self.apiKeys = apiKeys
        self.subscriptions = subscriptions
        self.detectedRun = detectedRun
        self.detectedAt = detectedAt
        self.reason = reason
        self.decidedBy = decidedBy
        self.decidedFrom = decidedFrom
        self.decidedAt = decidedAt
        self.updatedAt = updatedAt
    }
}

/// What to do with an orphan's review, decided by `OrphanReviewPolicy` from the latest review.
public enum ReviewAction: Sendable, Equatable {
    /// Leave everything as it is (e.g. a rejection that sticks).
    case keep
    /// Change the open review's verdict and status.
    case update(reviewId: Int64, verdict: OrphanVerdict, status: ReviewStatus)
    /// Open a new review (superseding `supersede`, if given).
    case insert(verdict: OrphanVerdict, status: ReviewStatus, supersede: Int64?)

    /// The status the review ends with, if the action sets one.
    public var resultingStatus: ReviewStatus? {
        switch self {
        case .keep: nil
        case .update(_, _, let status), .insert(_, let status, _): status
        }
    }
}

/// An operator's decision on a review.
public enum ReviewDecision: String, Sendable, Codable, Equatable {
    case approve
    case reject
    case confirmRetention = "confirm_retention"
}

/// What a decision did.
public enum DecisionResult: Sendable, Equatable {
    case deleted(Dependents)
    case rejected
    case retentionConfirmed
    /// The artifact changed since the review; nothing was deleted.
    case superseded
    /// The decision does not apply to this review; nothing changed.
    case refused(String)
}
