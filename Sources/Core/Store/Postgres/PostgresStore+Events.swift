import Foundation
internal import PostgresNIO

extension PostgresStore {
    /// Publishes inside the caller's transaction: the gateway row's lock (`FOR UPDATE`) makes
    /// publishers take turns, so seqs follow commit order with no gaps; `NOTIFY` is delivered at
    /// commit. One statement inserts the whole batch: under the lock no other publisher can add
    /// an event id, so the duplicates are known before seqs are handed out. See
    /// `SQLiteStore.publish` for `describesChanges`.
    static func publish(
        _ events: [NewEvent], gatewayId: String, on conn: PostgresConnection, logger: Logger, describesChanges: Bool = false
    ) async throws -> [Int64?] {
        guard !events.isEmpty else { return [] }
        // The lock, the head and which ids are taken, in one round trip. The LATERAL … LIMIT 1
        // keeps one unique-index probe per id: `event_id = ANY(…)` let the planner pick a
        // bitmap scan of every event of the gateway, O(retained events) per publish.
        var head: Int64 = 0
        var taken = Set<String>()
        for try await (h, ids) in try await conn.checkedQuery(
            """
            SELECT head_seq, ARRAY(
                SELECT i.id FROM unnest(\(events.map(\.eventId))::text[]) AS i(id),
                    LATERAL (SELECT 1 FROM events e WHERE e.gateway_id = \(gatewayId) AND e.event_id = i.id LIMIT 1) AS found)
            FROM gateway_states WHERE gateway_id = \(gatewayId) FOR UPDATE
            """, logger: logger
        ).decode((Int64, [String]).self) {
            head = h
            taken = Set(ids)
        }
        var rows: [NewEvent] = []
        var seqs: [Int64?] = []
        for var event in events {
            if !taken.insert(event.eventId).inserted {
                guard describesChanges else {
                    seqs.append(nil)
                    continue
                }
                event.eventId = "\(event.eventId):\(UUID().uuidString.lowercased())"
            }
            head += 1
            seqs.append(head)
            rows.append(event)
        }
        guard !rows.isEmpty else { return seqs }
        let first = head - Int64(rows.count) + 1
        // Insert, new head and NOTIFY (delivered at commit) in one statement.
        let version = UUID().uuidString.lowercased()
        try await conn.checkedQuery(
            """
            WITH inserted AS (
                INSERT INTO events(gateway_id, seq, event_id, entity_type, action, entity_id, event_data, originated_at, processed_at)
                SELECT \(gatewayId), \(first) + e.ord - 1, e.event_id, e.entity_type, e.action, e.entity_id, e.event_data,
                       timestamptz 'epoch' + e.originated * interval '1 microsecond', clock_timestamp()
                FROM unnest(\(rows.map(\.eventId))::text[], \(rows.map(\.entityType))::text[], \(rows.map(\.action.rawValue))::text[],
                            \(rows.map(\.entityId))::text[], \(rows.map(\.eventData))::text[], \(rows.map(\.originatedAt.microseconds))::bigint[])
                     WITH ORDINALITY AS e(event_id, entity_type, action, entity_id, event_data, originated, ord)
                RETURNING 1
            ), head AS (
                UPDATE gateway_states SET head_seq = \(head), version_id = \(version), updated_at = clock_timestamp()
                WHERE gateway_id = \(gatewayId) RETURNING 1
            )
            SELECT pg_notify(\(channel), \(gatewayId)), (SELECT count(*) FROM inserted), (SELECT count(*) FROM head)
            """, logger: logger)
        return seqs
    }
}

extension PostgresStore {
    public func changeSignals(fallbackPoll: Duration) -> AsyncStream<Void> {
        NotificationWatcher.signals(config: connectionConfig, channel: Self.channel, fallbackPoll: fallbackPoll, logger: logger)
    }
}
