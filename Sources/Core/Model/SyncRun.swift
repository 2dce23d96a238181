/// Why a sync run started.
public enum SyncTrigger: String, Sendable, Codable, Hashable {
    case startup
    case reconnect
    /// The live path could not apply an event (store down, archive fetch failed).
    case heal
    case console
    case cli
    case demo
}

/// Where a running sync is.
public enum SyncPhase: String, Sendable, Codable, Hashable {
    case listing
    case diffing
    case classifying
    case fetching
    case statusUpdates = "status_updates"
    case deleting
    case done
}

/// How a sync run ended.
public enum SyncOutcome: String, Sendable, Codable, Hashable {
    case running
    case succeeded
    /// Finished, but some batches or checks failed; see the errors.
    case partial
    case failed
    /// The process died while running; found and closed by a later run.
    case abandoned
}

/// Progress counters of a sync run.
public struct SyncCounters: Sendable, Equatable, Codable {
    public var listed = 0
    public var toFetch = 0
    public var fetched = 0
    public var statusUpdated = 0
    public var stale = 0
    public var retained = 0
    public var pendingDeletion = 0
    public var unverified = 0
    public var deleted = 0
    public var skipped = 0
    public var drift = 0
    public var missing = 0
    public var errors = 0

    public init() {}
}

/// One row of `sync_runs`.
public struct SyncRunRecord: Sendable, Codable, Equatable {
    public var id: Int64
    public var gatewayId: String
    public var trigger: SyncTrigger
    public var requestedBy: String
    public var phase: SyncPhase
    public var outcome: SyncOutcome
    public var startedAt: Timestamp
    public var finishedAt: Timestamp?
    public var counters: SyncCounters
    /// Operator-readable error lines (capped).
    public var errors: [String]

    public init(
        id: Int64, gatewayId: String, trigger: SyncTrigger, requestedBy: String, phase: SyncPhase,
        outcome: SyncOutcome, startedAt: Timestamp, finishedAt: Timestamp?, counters: SyncCounters,
        errors: [String]
    ) {
        self.id = id
        self.gatewayId = gatewayId
        self.trigger = trigger
        self.requestedBy = requestedBy
        self.phase = phase
        self.outcome = outcome
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.counters = counters
        self.errors = errors
    }
}
