import Core

/// An artifact as the simulated platform holds it.
public struct SimArtifact: Sendable, Equatable {
    public var id: String
    public var kind: ArtifactKind
    public var handle: String
    public var displayName: String
    public var version: String
    /// For LLM proxies: the provider they route to.
    public var providerId: String?
    public var deployment: SimDeployment?
    /// Distinguishes content revisions so a redeploy changes the YAML.
    public var revision: Int
}

/// The platform's deployment record of an artifact on this gateway.
public struct SimDeployment: Sendable, Equatable {
    public var deploymentId: String
    public var state: RemoteState
    public var deployedAt: Timestamp

    public var etag: String { DeploymentEtag.make(deploymentId: deploymentId, deployedAt: deployedAt) }
}
