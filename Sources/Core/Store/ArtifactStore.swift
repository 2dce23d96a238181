/// Result of a guarded write.
public enum WriteOutcome: Sendable, Equatable {
    case inserted
    case updated
    /// The stored row is as new or newer; nothing written, no event.
    case stale
    /// The input is invalid; nothing written.
    case rejected(String)

    /// True when the row was inserted or overwritten (only then is an event published).
    public var affected: Bool { self == .inserted || self == .updated }
}

/// A status-only change from the platform listing.
public struct StatusChange: Sendable, Codable, Equatable {
    public var uuid: String
    public var kind: ArtifactKind
    public var state: DesiredState
    public var deploymentId: String
    public var deployedAt: Timestamp

    public init(uuid: String, kind: ArtifactKind, state: DesiredState, deploymentId: String, deployedAt: Timestamp) {
        self.uuid = uuid
        self.kind = kind
        self.state = state
        self.deploymentId = deploymentId
        self.deployedAt = deployedAt.millisecondPrecision
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

/// Local artifacts and what hangs off them. Every write that changes a row publishes its event in
/// the same transaction.
public protocol ArtifactStore: Sendable {
    func artifactSummaries() async throws -> [ArtifactSummary]
    func artifact(uuid: String) async throws -> Artifact?
    /// Guarded upserts of one batch and their events, in one transaction.
    func upsertArtifacts(_ artifacts: [Artifact]) async throws -> [WriteOutcome]
    /// Guarded status updates and their events, in one transaction.
    func updateStatuses(_ changes: [StatusChange]) async throws -> [WriteOutcome]
    func dependents(of uuids: [String]) async throws -> [String: Dependents]
    func artifactCounts() async throws -> ArtifactCounts
    /// API keys per artifact id (artifacts without keys are absent).
    func apiKeyCounts() async throws -> [String: Int]
}
