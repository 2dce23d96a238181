/// What happens to orphans the platform says are gone.
public enum OrphanPolicy: String, Sendable, Equatable, Codable, CaseIterable {
    /// Wait for an operator's approval (default).
    case review
    /// Delete at once.
    case auto
}

/// Tunables of a sync run (`[controller.sync]`).
public struct SyncOptions: Sendable, Equatable {
    public var batchSize = 50
    public var fetchConcurrency = 4
    public var existsChunkSize = 500
    public var orphanPolicy = OrphanPolicy.review
    /// Attempts per batch or chunk, the first included.
    public var attempts = 3
    /// Backoff before the second attempt; doubled each time, with jitter.
    public var retryBaseDelay: Duration = .milliseconds(200)
    /// Single-flight lease time-to-live; renewed while the run lives.
    public var leaseTTL: Duration = .seconds(30)
    /// Orphan classification is skipped (and reported) when more than this fraction of the local
    /// control-plane artifacts would be orphans: a truncated or empty listing must not undeploy a
    /// gateway. `gwops sync --allow-mass-orphans` lifts it for one run.
    public var massOrphanFraction = 0.5

    public init() {}
}
