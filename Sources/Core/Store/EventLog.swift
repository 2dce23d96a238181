/// The database-backed event hub: ordered, gap-free, idempotent by `event_id`.
public protocol EventLog: Sendable {
    /// Publishes events in their own transaction; returns each event's `seq`, nil for a duplicate.
    func publish(_ events: [NewEvent]) async throws -> [Int64?]
    /// Events with `seq > after`, in `seq` order.
    func events(after seq: Int64, limit: Int) async throws -> [HubEvent]
    /// The newest events, newest first.
    func recentEvents(limit: Int) async throws -> [HubEvent]
    func position() async throws -> HubPosition
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
