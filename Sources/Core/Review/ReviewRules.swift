/// Pure rules for orphan reviews: what a sync records, and which operator decisions apply.
public enum ReviewRules {
    /// What a sync does with an orphan, given the artifact's latest review.
    ///
    /// A rejection sticks, and a confirmed retention stays confirmed, until the artifact changes
    /// (another row version). An approved review stays approved so the deletion completes.
    public static func action(latest: OrphanReview?, row: RowVersion, verdict: OrphanVerdict) -> ReviewAction {
        let status: ReviewStatus = verdict == .existsOnPlatform ? .retained : .pending
        guard let latest, latest.rowVersion == row else {
            let supersede = latest.flatMap { ReviewStatus.open.contains($0.status) ? $0.id : nil }
            return .insert(verdict: verdict, status: status, supersede: supersede)
        }
        switch latest.status {
        case .rejected:
            return .keep
        case .retentionConfirmed:
            // Only a successful check saying the platform deleted it reopens a confirmed retention.
            return verdict == .deletedOnPlatform ? .update(reviewId: latest.id, verdict: verdict, status: .pending) : .keep
        case .approved:
            return .keep
        case .pending, .retained:
            if verdict == .unverified, latest.verdict != .unverified {
                // A failed check does not erase what an earlier check established.
                return .keep
            }
            if latest.verdict == verdict && latest.status == status { return .keep }
            return .update(reviewId: latest.id, verdict: verdict, status: status)
        case .deleted, .superseded:
            return .insert(verdict: verdict, status: status, supersede: nil)
        }
    }

    /// Why `decision` cannot apply to `review`, or nil when it can.
    public static func check(_ decision: ReviewDecision, on review: OrphanReview, allowUnverified: Bool) -> String? {
        switch decision {
        case .approve:
            guard review.status == .pending || review.status == .approved else {
                return "review \(review.id) is \(review.status.rawValue); only pending deletions can be approved"
            }
            if review.verdict == .unverified, !allowUnverified {
                return "review \(review.id) is unverified (the platform could not be asked); approving it needs the stronger confirmation (--force)"
            }
            if review.verdict == .existsOnPlatform {
                return "review \(review.id): the platform still has this artifact; it is retained, not deletable"
            }
            return nil
        case .reject:
            guard review.status == .pending else {
                return "review \(review.id) is \(review.status.rawValue); only pending deletions can be rejected"
            }
            return nil
        case .confirmRetention:
            guard review.status == .retained else {
                return "review \(review.id) is \(review.status.rawValue); only retained artifacts can be confirmed"
            }
            return nil
        }
    }
}

extension ReviewRules {
    /// What an allowed decision does, given the reviewed artifact's row and dependents as they
    /// are now. An approval deletes only the row that was reviewed, and only if no key or
    /// subscription was added since (whoever approved was not shown them); otherwise the review
    /// is superseded and nothing goes.
    public static func outcome(_ decision: ReviewDecision, on review: OrphanReview, current: RowVersion?, dependents: Dependents) -> DecisionResult {
        switch decision {
        case .reject: return .rejected
        case .confirmRetention: return .retentionConfirmed
        case .approve:
            guard current == review.rowVersion, dependents.apiKeys <= review.apiKeys, dependents.subscriptions <= review.subscriptions
            else { return .superseded }
            return .deleted(dependents)
        }
    }
}

extension DecisionResult {
    /// The status a review ends with after this result; nil when nothing changes.
    var reviewStatus: ReviewStatus? {
        switch self {
        case .deleted: .deleted
        case .rejected: .rejected
        case .retentionConfirmed: .retentionConfirmed
        case .superseded: .superseded
        case .refused: nil
        }
    }

    var auditWord: String {
        switch self {
        case .deleted: "deleted"
        case .rejected: "rejected"
        case .retentionConfirmed: "retention_confirmed"
        case .superseded: "superseded"
        case .refused: "refused"
        }
    }

    var auditDetail: String? {
        switch self {
        case .deleted(let d): "removed \(d.apiKeys) API keys and \(d.subscriptions) subscriptions"
        case .superseded: "the artifact, its keys or its subscriptions changed since the review; nothing deleted"
        case .refused(let why): why
        default: nil
        }
    }
}
