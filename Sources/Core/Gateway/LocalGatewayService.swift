/// The gateway served from a store (and, with a platform, an engine) in this process. The
/// controller serves its socket with one of these; a direct session (root, development, no
/// controller) uses one itself.
public struct LocalGatewayService: GatewayService {
    public let store: any GatewayStore
    public let engine: SyncEngine?
    public let platform: (any PlatformAPI)?
    public let thresholds: LagThresholds
    /// Who acts, as the audit log records it.
    public let actor: Principal
    /// Why this session may not act (read-only), nil when it may.
    public let actionRefusal: String?
    /// Where started syncs run without their caller (the controller's); nil runs a sync in the
    /// caller's task (a direct session).
    public let syncs: SyncWorker?
    /// How often one account's refused actions are audited (the controller's: a viewer asking in
    /// a loop must not grow the audit log without bound); nil audits every one.
    public let refusalAudits: Throttle?

    public init(
        store: any GatewayStore, engine: SyncEngine?, platform: (any PlatformAPI)?, thresholds: LagThresholds, actor: Principal,
        actionRefusal: String? = nil, syncs: SyncWorker? = nil, refusalAudits: Throttle? = nil
    ) {
        self.store = store
        self.engine = engine
        self.platform = platform
        self.thresholds = thresholds
        self.actor = actor
        self.actionRefusal = actionRefusal
        self.syncs = syncs
        self.refusalAudits = refusalAudits
    }

    /// The same gateway acting for another caller (the controller, for each socket request).
    public func acting(as actor: Principal, refusal: String?) -> LocalGatewayService {
        LocalGatewayService(
            store: store, engine: engine, platform: platform, thresholds: thresholds, actor: actor, actionRefusal: refusal,
            syncs: syncs, refusalAudits: refusalAudits)
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

    public func hubPosition() async throws -> HubPosition { try await store.position() }

    /// Nothing is pushed here: the store's own change signals wake a reader of `events(after:)`.
    public func follow(after seq: Int64) -> AsyncThrowingStream<[HubEvent], any Error>? { nil }

    /// One snapshot of the small tables: every figure of a dashboard describes the same moment.
    public func dashboard(recentEvents: Int, lagWindow: Duration) async throws -> Dashboard {
        let tables = try await store.tables(recentEvents: recentEvents, lagWindow: max(lagWindow, FleetLag.samplesNeeded(thresholds)))
        let since = tables.now.subtracting(lagWindow)
        return Dashboard(
            now: tables.now, hub: tables.position, replicas: tables.replicas, lag: FleetLag.reports(tables, thresholds: thresholds),
            lagSamples: tables.lagSamples.filter { $0.sampledAt >= since }, reviews: tables.openReviews, runs: tables.runs,
            recentEvents: tables.recentEvents, apiKeys: tables.apiKeys)
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
        try await mayAct("sync.start", target: "trigger \(trigger.rawValue)")
        let engine = try requireEngine()
        guard let syncs else {
            // No worker (a direct session): the run is the caller's own, and ends with it.
            do {
                return try await engine.run(trigger: trigger, requestedBy: actor).id
            } catch SyncError.failed(let runId, _) where runId > 0 {
                return runId  // recorded: the caller reads how it ended from its record
            }
        }
        let (started, continuation) = AsyncStream.makeStream(of: Result<Int64, any Error>.self, bufferingPolicy: .bufferingNewest(1))
        // The run goes on in the worker, without the caller (a client that disconnects does not
        // stop it); the engine logs its start and end.
        let accepted = syncs.start { [actor] in
            do {
                try await engine.run(trigger: trigger, requestedBy: actor) { continuation.yield(.success($0)) }
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
        guard accepted else { throw SyncError.failed(runId: 0, reason: "the controller is stopping; no sync was started") }
        for await result in started { return try result.get() }
        throw SyncError.failed(runId: 0, reason: "the sync ended before it was recorded")
    }

    public func decide(reviewId: Int64, decision: ReviewDecision, seen: ReviewVersion?, force: Bool) async throws -> DecisionResult {
        let action = "review.\(decision.rawValue)"
        try await mayAct(action, target: "review \(reviewId)")
        guard let review = try await store.review(id: reviewId) else {
            let why = "there is no review \(reviewId) (see `gwops orphans list`)"
            await auditRefusal(action, target: "review \(reviewId)", why)
            return .refused(why)
        }
        if let seen, seen != ReviewVersion(review) {
            let why = "review \(reviewId) (\(review.handle)) changed since you saw it: it is now \(review.status.rawValue), "
                + "\(review.verdict.rawValue), updated \(review.updatedAt.rfc3339); look again, nothing was done"
            await auditRefusal(action, target: "review \(reviewId)", why)
            return .refused(why)
        }
        return try await store.decide(reviewId: reviewId, decision: decision, actor: actor, allowUnverified: force)
    }

    /// Throws `ActionRefused` (audited, at most once a period per account and action when
    /// `refusalAudits` says so) when this caller may not act.
    public func mayAct(_ action: String, target: String) async throws {
        guard let actionRefusal else { return }
        if let refusalAudits {
            if let held = refusalAudits.pass("\(actor.user) \(action)") {
                await auditRefusal(action, target: target, actionRefusal + (held > 0 ? " (and \(held) more refused since the last entry)" : ""))
            }
        } else {
            await auditRefusal(action, target: target, actionRefusal)
        }
        throw ActionRefused(actionRefusal)
    }

    /// Records an action refused before it reached the store (who tried matters to an audit).
    /// Best effort: a read-only session cannot write, and a failed audit must not hide the refusal.
    private func auditRefusal(_ action: String, target: String, _ why: String) async {
        try? await store.appendAudit(actor: actor, action: action, target: target, outcome: "refused", detail: why)
    }

    private func requireEngine() throws -> SyncEngine {
        guard let engine else { throw NoPlatform() }
        return engine
    }
}
