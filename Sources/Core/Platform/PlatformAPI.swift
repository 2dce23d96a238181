/// A listing entry the client could not turn into a deployment.
public struct UnreadableDeployment: Sendable, Codable, Equatable {
    /// The artifact id, when the entry had a readable one: such artifacts are never orphans.
    public var artifactId: String?
    public var reason: String

    public init(artifactId: String?, reason: String) {
        self.artifactId = artifactId
        self.reason = reason
    }
}

/// The platform's deployment list for this gateway.
public struct DeploymentListing: Sendable, Codable, Equatable {
    public var deployments: [RemoteDeployment]
    /// Entries that were present but unusable (unknown kind, bad date, duplicate id...).
    public var unreadable: [UnreadableDeployment]

    public init(deployments: [RemoteDeployment], unreadable: [UnreadableDeployment] = []) {
        self.deployments = deployments
        self.unreadable = unreadable
    }
}

/// The platform calls a sync needs. `PlatformClient` is the HTTP implementation.
public protocol PlatformAPI: Sendable {
    func listDeployments(since: Timestamp?) async throws -> DeploymentListing
    /// Archive files by deployment id; ids unknown to the platform are absent.
    func fetchDeployments(_ deploymentIds: [String]) async throws -> [String: [ArchiveFile]]
    /// Whether each artifact exists on the platform, in request order.
    func artifactsExist(_ artifactIds: [String]) async throws -> [String: Bool]
    /// Why the platform refuses the live connection, asked after an upgrade failed (the upgrade
    /// says nothing about why): its answer to a plain request to the WebSocket endpoint, such as
    /// 401 or 429 with its words; nil when it would accept an upgrade.
    func liveConnectionRefusal() async -> PlatformError?
}
