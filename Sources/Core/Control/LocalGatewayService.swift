/// The gateway served from a store (and, with a platform, an engine) in this process. The
/// controller serves its socket with one of these; a direct session (root, development, no
/// controller) uses one itself.
public struct LocalGatewayService: GatewayService {
    public let store: any GatewayStore
    public let engine: SyncEngine?
    public let platform: (any PlatformAPI)?
    public let thresholds: LagThresholds
    /// Who acts, as the audit log records it.
    public let actor: Actor
    /// Why this session may not act (read-only), nil when it may.
    public let actionRefusal: String?
    /// Runs a sync started with `startSync` to its end (the controller logs it; a direct session
    /// just runs it). Receives the engine's work once the run is recorded.
    let launch: @Sendable (@escaping @Sendable () async -> Void) -> Void

    public init(
        store: any GatewayStore, engine: SyncEngine?, platform: (any PlatformAPI)?, thresholds: LagThresholds, actor: Actor,
        actionRefusal: String? = nil,
        launch: @escaping @Sendable (@escaping @Sendable () async -> Void) -> Void = { work in Task { await work() } }
    ) {
        self.store = store
        self.engine = engine
        self.platform = platform
        self.thresholds = thresholds
        self.actor = actor
        self.actionRefusal = actionRefusal
        self.launch = launch
    }

    /// The same gateway acting for another caller (the controller, for each socket request).
    public func acting(as actor: Actor, refusal: String?) -> LocalGatewayService {
        LocalGatewayService(
            store: store, engine: engine, platform: platform, thresholds: thresholds, actor: actor, actionRefusal: refusal,
            launch: launch)
    }

    public var origin: ServiceOrigin { .store(backend: store.backendName, location: store.location) }

    public func whoami() async throws -> Caller {
        Caller(user: actor.user, role: actionRefusal == nil ? .operator : .viewer, actionRefusal: actionRefusal)
    }

    public func status() async throws -> StatusReport {
        try await StatusReport.gather(store: store, thresholds: thresholds)
    }

    public func snapshot() async throws -> ViewSnapshot {
        let (artifacts, head) = try await store.viewSnapshot()
        return ViewSnapshot(artifacts: artifacts, headSeq: head)
    }

    public func events(after seq: Int64, limit: Int) async throws -> [HubEvent] {
        try await store.events(after: seq, limit: limit)
    }

    public func dashboard(recentEvents: Int, lagWindow: Double) async throws -> Dashboard {
        let now = try await store.databaseNow()
        return Dashboard(
            now: now, hub: try await store.position(), replicas: try await store.replicas(),
            lag: try await FleetLag.reports(store: store, thresholds: thresholds),
            lagSamples: try await store.lagSamples(since: now.adding(seconds: -lagWindow)),
            reviews: try await store.reviews(statuses: [.pending, .retained, .retentionConfirmed], limit: 100_000),
            runs: try await store.syncRuns(limit: 20), recentEvents: try await store.recentEvents(limit: recentEvents),
            apiKeys: try await store.apiKeyCounts())
    }

    public func reviews(statuses: [ReviewStatus]) async throws -> [OrphanReview] {
        try await store.reviews(statuses: statuses, limit: 1_000_000)
    }

    public func review(idOrArtifact: String) async throws -> OrphanReview? {
        if let id = Int64(idOrArtifact), let review = try await store.review(id: id) { return review }
        return try await store.reviewHistory(artifactUUID: idOrArtifact).first
    }

    public func syncRun(id: Int64) async throws -> SyncRunRecord? {
        try await store.syncRun(id: id)
    }

    public func detail(uuid: String) async throws -> ArtifactDetail {
        ArtifactDetail(
            uuid: uuid, content: try await store.artifact(uuid: uuid)?.content,
            events: try await store.recentEvents(limit: 2000).filter { $0.entityId == uuid },
            history: try await store.reviewHistory(artifactUUID: uuid), keys: try await store.apiKeys(of: uuid),
            subscriptions: try await store.subscriptions(of: uuid))
    }

    public func listDeployments(since: Timestamp?) async throws -> DeploymentListing? {
        try await platform?.listDeployments(since: since)
    }

    public func plan() async throws -> SyncPreview {
        try await requireEngine().preview()
    }

    public func startSync(trigger: SyncTrigger) async throws -> Int64 {
        if let actionRefusal { throw ActionRefused(actionRefusal) }
        let engine = try requireEngine()
        let (started, continuation) = AsyncStream.makeStream(of: Result<Int64, any Error>.self, bufferingPolicy: .bufferingNewest(1))
        launch { [actor] in
            do {
                try await engine.run(trigger: trigger, requestedBy: actor) { continuation.yield(.success($0)) }
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
        for await result in started { return try result.get() }
        throw SyncError.failed(runId: 0, reason: "the sync ended before it was recorded")
    }

    public func decide(reviewId: Int64, decision: ReviewDecision, seen: RowVersion?, force: Bool) async throws -> DecisionResult {
        if let actionRefusal { throw ActionRefused(actionRefusal) }
        guard let review = try await store.review(id: reviewId) else {
            return .refused("there is no review \(reviewId) (see `gwops orphans list`)")
        }
        if let seen, seen != review.rowVersion {
            return .refused("review \(reviewId) changed since you saw it (\(review.handle) was redeployed); look again")
        }
        return try await store.decide(reviewId: reviewId, decision: decision, actor: actor, allowUnverified: force)
    }

    private func requireEngine() throws -> SyncEngine {
        guard let engine else { throw ActionRefused("no platform is configured here ([platform] url), so there is nothing to sync with") }
        return engine
    }
}
