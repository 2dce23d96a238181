/// The database-backed event hub: ordered, gap-free, idempotent by `event_id`.
/// Its reads after a cursor (`events(after:limit:)`, `position()`) are `HubSource`'s.
public protocol EventLog: HubSource {
    /// Publishes events in their own transaction; returns each event's `seq`, nil for a duplicate.
    func publish(_ events: [NewEvent]) async throws -> [Int64?]
    /// The newest events, newest first.
    func recentEvents(limit: Int) async throws -> [HubEvent]
    /// `processedAt` of the event with this `seq`, if retained.
    func processedAt(seq: Int64) async throws -> Timestamp?
    /// Deletes events processed before `cutoff`; returns how many.
    func pruneEvents(processedBefore cutoff: Timestamp) async throws -> Int
    /// Every artifact and the head `seq`, read in one snapshot (for a replica reload).
    func viewSnapshot() async throws -> (artifacts: [ArtifactSummary], headSeq: Int64)
    /// Yields whenever the database may have changed (any process), and at least every `fallbackPoll`.
    func changeSignals(fallbackPoll: Duration) -> AsyncStream<Void>
    /// The database clock.
    func databaseNow() async throws -> Timestamp
}
