/// Deploys and undeploys the live path could not apply when they arrived. The heal sync that
/// follows applies them; then each is acknowledged by what the store holds: success once the
/// gateway serves that deployment, nothing when something newer won, and `failed` only when the
/// heals ran out. (Acking `failed` at once would leave the platform showing FAILED for a
/// deployment the gateway serves a moment later: the platform accepts a success ack only while
/// the deployment is still DEPLOYING.)
public actor DeferredAcks {
    /// What to do about one deferred action after a heal.
    public enum Resolution: Sendable, Equatable {
        case ack(DeploymentAck)
        /// A newer deploy or undeploy is stored: this one is stale, and stale events get no ack.
        case drop
        /// Not applied yet: wait for the next heal.
        case retry
    }

    struct Entry {
        var action: LiveDeploymentAction
        var deploy: Bool
        var heals = 0
    }

    /// Heals after which a deferred action still not applied is acknowledged `failed`.
    public let maxHeals: Int
    private var entries: [Entry] = []

    public init(maxHeals: Int = 3) { self.maxHeals = maxHeals }

    public func add(_ action: LiveDeploymentAction, deploy: Bool) {
        entries.removeAll { $0.action.deploymentId == action.deploymentId && $0.deploy == deploy && $0.action.performedAt == action.performedAt }
        entries.append(Entry(action: action, deploy: deploy))
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// After a heal: the acks to send now, in arrival order; entries to retry stay. `local`
    /// reads an artifact's stored summary.
    public func resolve(_ local: (String) async throws -> ArtifactSummary?) async -> [DeploymentAck] {
        var acks: [DeploymentAck] = []
        var kept: [Entry] = []
        for var entry in entries {
            entry.heals += 1
            let stored: ArtifactSummary?
            do {
                stored = try await local(entry.action.artifactId)
            } catch {
                kept.append(entry)
                continue
            }
            switch Self.resolve(entry.action, deploy: entry.deploy, stored: stored, lastHeal: entry.heals >= maxHeals) {
            case .ack(let ack): acks.append(ack)
            case .drop: break
            case .retry: kept.append(entry)
            }
        }
        entries = kept
        return acks
    }

    /// The decision for one action given the stored artifact (pure).
    public static func resolve(_ action: LiveDeploymentAction, deploy: Bool, stored: ArtifactSummary?, lastHeal: Bool) -> Resolution {
        let wanted: DesiredState = deploy ? .deployed : .undeployed
        if let stored, let at = stored.deployedAt, at > action.performedAt { return .drop }
        if !deploy, stored == nil { return .ack(DeploymentAck(action, deploy: false)) }
        if let stored, stored.deploymentId == action.deploymentId, stored.deployedAt == action.performedAt, stored.desiredState == wanted {
            return .ack(DeploymentAck(action, deploy: deploy))
        }
        return lastHeal ? .ack(DeploymentAck(action, deploy: deploy, failed: DeploymentAck.processingError)) : .retry
    }
}
