/// Orphan reviews and operator decisions. Each call is one transaction, audit row included.
public protocol ReviewStore: Sendable {
    /// Reads the artifact's latest review, asks `decide`, and carries out its action: retaining the
    /// row (conditional write) when the status becomes `retained`. Returns the resulting review.
    func recordOrphan(
        _ candidate: ArtifactSummary, verdict: OrphanVerdict, reason: String?, runId: Int64?,
        decide: @escaping @Sendable (OrphanReview?, RowVersion, OrphanVerdict) -> ReviewAction
    ) async throws -> OrphanReview?
    /// Marks open reviews of these artifacts superseded (they are listed on the platform again).
    func supersedeReviews(artifactIds: Set<String>) async throws -> Int
    /// Applies an operator decision; an approval deletes the artifact, its keys and subscriptions
    /// only while the row is the one reviewed (else the review becomes superseded).
    func decide(reviewId: Int64, decision: ReviewDecision, actor: Principal, allowUnverified: Bool) async throws -> DecisionResult
    func review(id: Int64) async throws -> OrphanReview?
    /// Reviews in these statuses, newest first.
    func reviews(statuses: [ReviewStatus], limit: Int) async throws -> [OrphanReview]
    func reviewHistory(artifactUUID: String) async throws -> [OrphanReview]
}

/// The audit trail of operator decisions and sync requests.
public protocol AuditLog: Sendable {
    func appendAudit(actor: Principal, action: String, target: String, outcome: String, detail: String?) async throws
    func auditEntries(limit: Int) async throws -> [AuditEntry]
}

/// Everything the engine needs from a backend.
public protocol GatewayStore: ArtifactStore, CredentialStore, EventLog, ReplicaRegistry, SyncRunLog, ReviewStore, AuditLog {
    var gatewayId: String { get }
    /// `sqlite` or `postgres`.
    var backendName: String { get }
    /// A file path or a URL without its password.
    var location: String { get }
    /// Closes every connection and waits until they are closed; the store is not used after.
    func shutdown() async
    /// The small tables as one snapshot, with the newest `recentEvents` events and the lag
    /// samples of the last `lagWindow`.
    func tables(recentEvents: Int, lagWindow: Duration) async throws -> GatewayTables
}

/// The gateway's small tables read as one snapshot (one read transaction), so the hub's head,
/// the replicas' cursors, the reviews and the runs all describe the same moment: what a
/// dashboard, `gwops status` and the metrics show.
public struct GatewayTables: Sendable, Equatable {
    /// The database clock when read.
    public var now: Timestamp
    public var position: HubPosition
    public var replicas: [ReplicaRecord]
    /// `processedAt` of the first event after each replica's cursor, for replicas behind the head.
    public var firstUnapplied: [String: Timestamp]
    /// Lag samples of the window asked for, oldest first per replica.
    public var lagSamples: [LagSample]
    /// Pending, retained and retention-confirmed reviews, newest first.
    public var openReviews: [OrphanReview]
    /// The newest sync runs, newest first.
    public var runs: [SyncRunRecord]
    /// The newest events, newest first.
    public var recentEvents: [HubEvent]
    /// API keys per artifact uuid.
    public var apiKeys: [String: Int]

    public init(
        now: Timestamp, position: HubPosition, replicas: [ReplicaRecord], firstUnapplied: [String: Timestamp], lagSamples: [LagSample],
        openReviews: [OrphanReview], runs: [SyncRunRecord], recentEvents: [HubEvent], apiKeys: [String: Int]
    ) {
        self.now = now
        self.position = position
        self.replicas = replicas
        self.firstUnapplied = firstUnapplied
        self.lagSamples = lagSamples
        self.openReviews = openReviews
        self.runs = runs
        self.recentEvents = recentEvents
        self.apiKeys = apiKeys
    }
}
