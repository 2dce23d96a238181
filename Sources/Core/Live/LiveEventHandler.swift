import Logging

/// Applies live-path events with the same guarded writes as sync, so the two can race safely:
/// whichever carries the newer `performedAt` wins, the other is a no-op that publishes nothing
/// and is not acknowledged.
public struct LiveEventHandler: Sendable {
    let store: any GatewayStore
    let platform: any PlatformAPI
    let orphanPolicy: OrphanPolicy
    let logger: Logger

    public init(store: any GatewayStore, platform: any PlatformAPI, orphanPolicy: OrphanPolicy = .review, logger: Logger = .silent("gwops.live")) {
        self.store = store
        self.platform = platform
        self.orphanPolicy = orphanPolicy
        self.logger = logger
    }

    /// Applies `event`; returns the `deployment.ack` to send, if the contract asks for one.
    public func handle(_ event: LiveEvent) async throws -> DeploymentAck? {
        switch event {
        case .deployed(let kind, let id, let dep, let at):
            return try await deploy(kind: kind, artifactId: id, deploymentId: dep, performedAt: at)
        case .undeployed(let kind, let id, let dep, let at):
            return try await undeploy(kind: kind, artifactId: id, deploymentId: dep, performedAt: at)
        case .deleted(_, let id):
            try await deleted(artifactId: id)
            return nil
        case .apiKeyCreated(let key):
            try await store.addAPIKey(key)
        case .apiKeyRevoked(let keyId):
            try await store.removeAPIKey(id: keyId)
        case .subscriptionCreated(let s):
            try await store.addSubscription(s)
        case .subscriptionDeleted(let id):
            try await store.removeSubscription(id: id)
        case .connectionAck:
            break
        }
        return nil
    }

    private func ack(_ kind: ArtifactKind, _ id: String, _ dep: String, _ action: String, _ at: Timestamp, failed code: String? = nil) -> DeploymentAck {
        DeploymentAck(
            deploymentId: dep, artifactId: id, resourceType: kind.resourceType, action: action,
            status: code == nil ? "success" : "failed", performedAt: at.rfc3339, errorCode: code)
    }

    private func deploy(kind: ArtifactKind, artifactId id: String, deploymentId dep: String, performedAt at: Timestamp) async throws -> DeploymentAck? {
        // Stale already? Then nothing to fetch, nothing to ack.
        if let local = try await store.artifact(uuid: id), let stored = local.deployedAt, stored >= at { return nil }
        let remote = RemoteDeployment(
            artifactId: id, deploymentId: dep, kind: kind, state: .deployed, deployedAt: at,
            etag: DeploymentEtag.make(deploymentId: dep, deployedAt: at))
        let files: [String: [ArchiveFile]]
        do {
            files = try await platform.fetchDeployments([dep])
        } catch {
            logger.warning("live deploy: fetch failed; the next sync heals it", metadata: ["deployment": "\(dep)", "error": "\(error)"])
            return ack(kind, id, dep, "deploy", at, failed: "FETCH_FAILED")
        }
        let mapped = ArtifactMapper.map([PlannedFetch(deployment: remote, reason: .new)], files: files)
        guard let artifact = mapped.artifacts.first else {
            return ack(kind, id, dep, "deploy", at, failed: "DEPLOYMENT_NOT_FOUND")
        }
        switch try await store.upsertArtifacts([artifact]).first {
        case .inserted, .updated: return ack(kind, id, dep, "deploy", at)
        case .rejected: return ack(kind, id, dep, "deploy", at, failed: "INVALID_ARTIFACT")
        case .stale, .none: return nil
        }
    }

    private func undeploy(kind: ArtifactKind, artifactId id: String, deploymentId dep: String, performedAt at: Timestamp) async throws -> DeploymentAck? {
        guard let local = try await store.artifact(uuid: id) else {
            return ack(kind, id, dep, "undeploy", at, failed: "ARTIFACT_NOT_FOUND")
        }
        if let stored = local.deployedAt, stored >= at { return nil }
        guard local.deploymentId == dep else { return ack(kind, id, dep, "undeploy", at, failed: "DEPLOYMENT_ID_MISMATCH") }
        let outcome = try await store.updateStatuses([StatusChange(uuid: id, kind: kind, state: .undeployed, deploymentId: dep, deployedAt: at)])
        return outcome.first == .updated ? ack(kind, id, dep, "undeploy", at) : nil
    }

    /// The platform deleted the artifact: like an orphan found by sync, it waits for a decision
    /// (or goes at once with `orphan_policy = "auto"`).
    private func deleted(artifactId id: String) async throws {
        guard let local = try await store.artifact(uuid: id), local.origin == .controlPlane else { return }
        let review = try await store.recordOrphan(
            local.summary, verdict: .deletedOnPlatform, reason: "deleted on the platform (live event)", runId: nil,
            decide: ReviewRules.action)
        if orphanPolicy == .auto, let review, review.status == .pending {
            _ = try await store.decide(
                reviewId: review.id, decision: .approve, actor: Actor(user: "orphan_policy=auto", clientAddress: nil), allowUnverified: false)
        }
    }
}
