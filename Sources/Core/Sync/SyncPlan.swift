/// Why a deployment is fetched.
public enum FetchReason: String, Sendable, Equatable, Codable {
    case new
    case deploymentChanged = "deployment_changed"
    case newerRemote = "newer_remote"
    case localUndated = "local_undated"
}

/// A deployment to fetch and apply.
public struct PlannedFetch: Sendable, Codable, Equatable {
    public var deployment: RemoteDeployment
    public var reason: FetchReason

    public init(deployment: RemoteDeployment, reason: FetchReason) {
        self.deployment = deployment
        self.reason = reason
    }
}

/// A local artifact newer than what the platform lists: reported, never refetched in a loop.
public struct Drift: Sendable, Codable, Equatable {
    public var artifactId: String
    public var localDeployedAt: Timestamp
    public var remoteDeployedAt: Timestamp

    public init(artifactId: String, localDeployedAt: Timestamp, remoteDeployedAt: Timestamp) {
        self.artifactId = artifactId
        self.localDeployedAt = localDeployedAt
        self.remoteDeployedAt = remoteDeployedAt
    }
}

/// What a sync will do: the output of `SyncDiff.plan`.
public struct SyncPlan: Sendable, Codable, Equatable {
    public var fetches: [PlannedFetch] = []
    public var statusUpdates: [StatusChange] = []
    /// Remote entries with a state the gateway does not know (e.g. `FAILED`).
    public var unknownState: [RemoteDeployment] = []
    public var drift: [Drift] = []
    public var inSync = 0
    /// Remote `UNDEPLOYED` entries not present locally: nothing to do.
    public var ignoredUndeployed = 0
    /// Local control-plane artifacts the platform no longer lists.
    public var orphanCandidates: [ArtifactSummary] = []

    public init() {}

    /// Fetches grouped in dependency order (LlmProvider → LlmProxy → RestApi → Mcp).
    public var fetchesInDependencyOrder: [PlannedFetch] {
        ArtifactKind.fetchOrder.flatMap { kind in fetches.filter { $0.deployment.kind == kind } }
    }
}
