import Foundation

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

/// How a published batch gets its seqs, as one rule for every backend: under the hub's lock, each
/// new event takes the next seq; an event whose id is taken (already retained, or earlier in
/// the batch) is a duplicate, skipped with no seq, unless the batch `describesChanges`: then
/// every event describes a row change that did happen and must reach the replicas, so a taken
/// id gets a fresh suffix instead (e.g. the CREATE of an artifact deleted and listed again).
enum EventSeqs {
    static func assign(
        _ events: [NewEvent], after head: Int64, taken: Set<String>, describesChanges: Bool, freshSuffix: () -> String = { UUID().uuidString.lowercased() }
    ) -> (rows: [(seq: Int64, event: NewEvent)], seqs: [Int64?]) {
        var taken = taken, head = head
        var rows: [(seq: Int64, event: NewEvent)] = []
        var seqs: [Int64?] = []
        for var event in events {
            if !taken.insert(event.eventId).inserted {
                guard describesChanges else {
                    seqs.append(nil)
                    continue
                }
                event.eventId += ":\(freshSuffix())"
            }
            head += 1
            seqs.append(head)
            rows.append((head, event))
        }
        return (rows, seqs)
    }
}
