import Logging

/// What the live path does after an event.
public enum LiveOutcome: Sendable, Equatable {
    /// Nothing to answer (a stale event, or one that is not a deploy or undeploy).
    case none
    case ack(DeploymentAck)
    /// The event could not be applied now (the archive fetch or the store failed): a heal sync
    /// follows, and the ack is decided after it by ``DeferredAcks``.
    case deferred(LiveDeploymentAction, deploy: Bool)
}

/// Applies live-path events with the same guarded writes as sync, so the two can race safely:
/// whichever carries the newer `performedAt` wins, the other is a no-op that publishes nothing
/// and is not acknowledged. Acks follow the real gateway (`gateway-controller`'s
/// `controlplane/client.go`): an undeploy of an artifact this gateway does not have is a success.
public struct LiveEventHandler: Sendable {
    let store: any GatewayStore
    let platform: any PlatformAPI
    let orphanPolicy: OrphanPolicy
    /// Shared with the credential load that runs on each connection.
    let credentials: CredentialGate
    let logger: Logger

    public init(
        store: any GatewayStore, platform: any PlatformAPI, orphanPolicy: OrphanPolicy = .review, credentials: CredentialGate = CredentialGate(),
        logger: Logger = .silent("gwops.live")
    ) {
        self.store = store
        self.platform = platform
        self.orphanPolicy = orphanPolicy
        self.credentials = credentials
        self.logger = logger
    }

    /// Applies `event`. Throws when the store fails on an event that has no ack (keys,
    /// subscriptions, deletions); the caller heals those with a sync.
    public func handle(_ event: LiveEvent) async throws -> LiveOutcome {
        switch event {
        case .deployed(let action):
            return await deploy(action)
        case .undeployed(let action):
            return await undeploy(action)
        case .deleted(_, let id):
            try await deleted(artifactId: id)
        case .apiKeyCreated(let key):
            try await credentials.apply { try await store.addAPIKey(key) }
        case .apiKeyUpdated(let update):
            if try await !credentials.apply({ try await store.updateAPIKey(update) }) {
                logger.info("apikey.updated for a key this gateway does not have", metadata: ["artifact": "\(update.artifactUUID)"])
            }
        case .apiKeyRevoked(let artifact, let name):
            try await credentials.apply { try await store.removeAPIKey(artifactUUID: artifact, name: name) }
        case .subscriptionUpserted(let s):
            try await credentials.apply { try await store.addSubscription(s) }
        case .subscriptionDeleted(_, let id):
            try await credentials.apply { try await store.removeSubscription(id: id) }
        case .connectionAck, .ignored, .platformError:
            break
        }
        return .none
    }

    private func deploy(_ action: LiveDeploymentAction) async -> LiveOutcome {
        let files: [String: [ArchiveFile]]
        do {
            // Stale already? Then nothing to fetch, nothing to ack.
            if let local = try await store.artifact(uuid: action.artifactId), let stored = local.deployedAt, stored >= action.performedAt {
                return .none
            }
            files = try await platform.fetchDeployments([action.deploymentId])
        } catch {
            logger.warning("live deploy not applied yet; a sync heals it", metadata: ["deployment": "\(action.deploymentId)", "error": "\(error)"])
            return .deferred(action, deploy: true)
        }
        let remote = RemoteDeployment(
            artifactId: action.artifactId, deploymentId: action.deploymentId, kind: action.kind, state: .deployed,
            deployedAt: action.performedAt, etag: DeploymentEtag.make(deploymentId: action.deploymentId, deployedAt: action.performedAt))
        let mapped = ArtifactMapper.map([PlannedFetch(deployment: remote, reason: .new)], files: files)
        guard let artifact = mapped.artifacts.first else {
            logger.error("live deploy failed", metadata: ["reason": "\(mapped.missing.first?.reason ?? "no content")"])
            return .ack(DeploymentAck(action, deploy: true, failed: DeploymentAck.processingError))
        }
        do {
            switch try await store.upsertArtifacts([artifact]).first {
            case .inserted, .updated: return .ack(DeploymentAck(action, deploy: true))
            case .rejected: return .ack(DeploymentAck(action, deploy: true, failed: DeploymentAck.processingError))
            case .stale, .none: return .none
            }
        } catch {
            logger.warning("live deploy not stored yet; a sync heals it", metadata: ["deployment": "\(action.deploymentId)", "error": "\(error)"])
            return .deferred(action, deploy: true)
        }
    }

    private func undeploy(_ action: LiveDeploymentAction) async -> LiveOutcome {
        do {
            // Not here: already undeployed, as far as the platform is concerned.
            guard let local = try await store.artifact(uuid: action.artifactId) else { return .ack(DeploymentAck(action, deploy: false)) }
            if let current = local.deploymentId, current != action.deploymentId {
                return .ack(DeploymentAck(action, deploy: false, failed: DeploymentAck.deploymentIdMismatch))
            }
            let outcome = try await store.updateStatuses([
                StatusChange(
                    uuid: action.artifactId, kind: action.kind, state: .undeployed, deploymentId: action.deploymentId,
                    deployedAt: action.performedAt)
            ])
            return outcome.first == .updated ? .ack(DeploymentAck(action, deploy: false)) : .none
        } catch {
            logger.warning("live undeploy not stored yet; a sync heals it", metadata: ["deployment": "\(action.deploymentId)", "error": "\(error)"])
            return .deferred(action, deploy: false)
        }
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
                reviewId: review.id, decision: .approve, actor: Principal(user: "orphan_policy=auto", clientAddress: nil), allowUnverified: false)
        }
    }
}
