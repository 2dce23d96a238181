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

/// The guarded write (DESIGN.md §3) as one rule for every backend; the stores read the stored
/// row (locked) and write what this decides.
enum GuardedWrite {
    /// A stored row is overwritten only when it has no time, or an older one than the write; a
    /// write without a time never proves that it is newer (SQL's `stored < NULL` is not true).
    static func overwrites(stored: Timestamp?, incoming: Timestamp?) -> Bool {
        guard let stored else { return true }
        guard let incoming else { return false }
        return stored < incoming
    }

    /// What a full write of `incoming` does to the stored row (nil: there is none).
    static func outcome(stored: ArtifactSummary?, incoming: Artifact) -> WriteOutcome {
        guard let stored else { return .inserted }
        if stored.origin != .controlPlane {
            return .rejected("artifact \(incoming.uuid) is managed through the gateway API, not the control plane")
        }
        return overwrites(stored: stored.deployedAt, incoming: incoming.deployedAt) ? .updated : .stale
    }

    /// Whether a status-only change applies to the stored row: a newer deployment, or the same
    /// deployment (same time and id) in another state. Rows managed through the gateway API
    /// are never changed from the listing.
    static func appliesStatus(_ change: StatusChange, to stored: ArtifactSummary) -> Bool {
        guard stored.origin == .controlPlane else { return false }
        if overwrites(stored: stored.deployedAt, incoming: change.deployedAt) { return true }
        return stored.deployedAt == change.deployedAt && stored.deploymentId == change.deploymentId && stored.desiredState != change.state
    }
}
