/// A deployment as the platform lists it for this gateway.
public struct RemoteDeployment: Sendable, Codable, Equatable, Hashable {
    public var artifactId: String
    public var deploymentId: String
    public var kind: ArtifactKind
    public var state: RemoteState
    /// Millisecond precision.
    public var deployedAt: Timestamp
    public var etag: String

    public init(
        artifactId: String, deploymentId: String, kind: ArtifactKind, state: RemoteState,
        deployedAt: Timestamp, etag: String
    ) {
        self.artifactId = artifactId
        self.deploymentId = deploymentId
        self.kind = kind
        self.state = state
        self.deployedAt = deployedAt.millisecondPrecision
        self.etag = etag
    }
}

/// The platform's deployment state; states other than the two known ones are kept verbatim.
public enum RemoteState: Sendable, Equatable, Hashable, CustomStringConvertible, Codable {
    case deployed
    case undeployed
    case unknown(String)

    public init(wire: String) {
        switch wire {
        case "DEPLOYED": self = .deployed
        case "UNDEPLOYED": self = .undeployed
        default: self = .unknown(wire)
        }
    }

    public var wire: String {
        switch self {
        case .deployed: "DEPLOYED"
        case .undeployed: "UNDEPLOYED"
        case .unknown(let s): s
        }
    }

    public var desiredState: DesiredState? {
        switch self {
        case .deployed: .deployed
        case .undeployed: .undeployed
        case .unknown: nil
        }
    }

    public var description: String { wire }
}

extension RemoteState {
    /// Encoded as the platform's word (`DEPLOYED`, `UNDEPLOYED` or the unknown one verbatim).
    public init(from decoder: any Decoder) throws {
        self.init(wire: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wire)
    }
}
