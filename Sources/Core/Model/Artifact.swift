/// One deployable unit on the gateway, as stored locally.
public struct Artifact: Sendable, Equatable {
    public var uuid: String
    public var handle: String
    public var displayName: String
    public var version: String
    public var kind: ArtifactKind
    public var desiredState: DesiredState
    public var deploymentId: String?
    /// The platform's `performedAt` of the last deploy or undeploy, millisecond precision.
    public var deployedAt: Timestamp?
    public var origin: Origin
    /// Deployment content, YAML text as received.
    public var content: String
    public var contentSHA256: String

    public init(
        uuid: String, handle: String, displayName: String, version: String, kind: ArtifactKind,
        desiredState: DesiredState, deploymentId: String?, deployedAt: Timestamp?,
        origin: Origin = .controlPlane, content: String, contentSHA256: String? = nil
    ) {
        self.uuid = uuid
        self.handle = handle
        self.displayName = displayName
        self.version = version
        self.kind = kind
        self.desiredState = desiredState
        self.deploymentId = deploymentId
        self.deployedAt = deployedAt?.millisecondPrecision
        self.origin = origin
        self.content = content
        self.contentSHA256 = contentSHA256 ?? ContentHash.sha256Hex(content)
    }

    public var summary: ArtifactSummary {
        ArtifactSummary(
            uuid: uuid, handle: handle, kind: kind, desiredState: desiredState,
            deploymentId: deploymentId, deployedAt: deployedAt, origin: origin)
    }
}

/// The fields of an artifact that sync decisions, replicas and tables need (no content).
public struct ArtifactSummary: Sendable, Equatable, Hashable, Codable {
    public var uuid: String
    public var handle: String
    public var kind: ArtifactKind
    public var desiredState: DesiredState
    public var deploymentId: String?
    public var deployedAt: Timestamp?
    public var origin: Origin

    public init(
        uuid: String, handle: String, kind: ArtifactKind, desiredState: DesiredState,
        deploymentId: String?, deployedAt: Timestamp?, origin: Origin = .controlPlane
    ) {
        self.uuid = uuid
        self.handle = handle
        self.kind = kind
        self.desiredState = desiredState
        self.deploymentId = deploymentId
        self.deployedAt = deployedAt
        self.origin = origin
    }

    /// The version of the row a review recorded; conditional writes compare against it.
    public var rowVersion: RowVersion { RowVersion(deploymentId: deploymentId, deployedAt: deployedAt) }
}

/// Identifies one state of an artifact row: conditional retain/delete apply only while it holds.
public struct RowVersion: Sendable, Codable, Equatable, Hashable {
    public var deploymentId: String?
    public var deployedAt: Timestamp?

    public init(deploymentId: String?, deployedAt: Timestamp?) {
        self.deploymentId = deploymentId
        self.deployedAt = deployedAt
    }
}

/// Counts for dashboards and `gwops status`.
public struct ArtifactCounts: Sendable, Equatable, Codable {
    public var total = 0
    public var deployed = 0
    public var undeployed = 0
    public var byKind: [String: Int] = [:]

    public init() {}
}
