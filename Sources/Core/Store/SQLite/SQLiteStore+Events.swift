import Foundation
internal import GRDB

extension SQLiteStore {
    /// Publishes `events` inside the caller's write transaction (transactional outbox). Seqs follow
    /// commit order without gaps because SQLite admits one writer at a time; a duplicate
    /// `event_id` is skipped and consumes no seq.
    ///
    /// With `describesChanges`, every event describes a row change that did happen, so it must
    /// reach the replicas: a retained event with the same id (e.g. the CREATE of an artifact that
    /// was deleted and listed again) gets a fresh id instead of being dropped.
    static func publish(_ events: [NewEvent], gatewayId: String, in db: Database, describesChanges: Bool = false) throws -> [Int64?] {
        guard !events.isEmpty else { return [] }
        var head = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT head_seq FROM gateway_states WHERE gateway_id = ?"), arguments: [gatewayId]) ?? 0
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO events(gateway_id, seq, event_id, entity_type, action, entity_id, event_data,
                                   originated_at, processed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, \(SQLDialect.sqlite.now))
                ON CONFLICT(gateway_id, event_id) DO NOTHING
                """)
        var seqs: [Int64?] = []
        seqs.reserveCapacity(events.count)
        for event in events {
            try insert.execute(arguments: [
                gatewayId, head + 1, event.eventId, event.entityType, event.action.rawValue, event.entityId,
                event.eventData, event.originatedAt.microseconds,
            ])
            if db.changesCount == 0, describesChanges {
                try insert.execute(arguments: [
                    gatewayId, head + 1, "\(event.eventId):\(UUID().uuidString.lowercased())", event.entityType,
                    event.action.rawValue, event.entityId, event.eventData, event.originatedAt.microseconds,
                ])
            }
            if db.changesCount == 1 {
                head += 1
                seqs.append(head)
            } else {
                seqs.append(nil)
            }
        }
        if seqs.contains(where: { $0 != nil }) {
            try db.execute(
                sql: """
                    INSERT INTO gateway_states(gateway_id, head_seq, version_id, updated_at)
                    VALUES (?, ?, ?, \(SQLDialect.sqlite.now))
                    ON CONFLICT(gateway_id) DO UPDATE SET head_seq = excluded.head_seq,
                        version_id = excluded.version_id, updated_at = excluded.updated_at
                    """,
                arguments: [gatewayId, head, UUID().uuidString.lowercased()])
        }
        return seqs
    }
}

extension SQLiteStore {
    public func changeSignals(fallbackPoll: Duration) -> AsyncStream<Void> {
        DataVersionWatcher.signals(path: path, fallbackPoll: fallbackPoll)
    }
}
