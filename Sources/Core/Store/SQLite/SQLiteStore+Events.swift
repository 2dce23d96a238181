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
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, \(nowSQL))
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
                    VALUES (?, ?, ?, \(nowSQL))
                    ON CONFLICT(gateway_id) DO UPDATE SET head_seq = excluded.head_seq,
                        version_id = excluded.version_id, updated_at = excluded.updated_at
                    """,
                arguments: [gatewayId, head, UUID().uuidString.lowercased()])
        }
        return seqs
    }

    static func hubEvent(_ row: Row) throws -> HubEvent {
        let action = try StoredValue.decode(row["action"], as: EventAction.self, column: "action", table: "events", key: "seq \(row["seq"] as Int64)")
        return HubEvent(
            gatewayId: row["gateway_id"], seq: row["seq"], eventId: row["event_id"], entityType: row["entity_type"],
            action: action, entityId: row["entity_id"], eventData: row["event_data"],
            originatedAt: Timestamp(microseconds: row["originated_at"]),
            processedAt: Timestamp(microseconds: row["processed_at"]))
    }
}

extension SQLiteStore: EventLog {
    public func publish(_ events: [NewEvent]) async throws -> [Int64?] {
        let gatewayId = self.gatewayId
        return try await writeTransaction("publish events") { db in
            try Self.publish(events, gatewayId: gatewayId, in: db)
        }
    }

    public func events(after seq: Int64, limit: Int) async throws -> [HubEvent] {
        let gatewayId = self.gatewayId
        return try await readSnapshot("read events") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM events WHERE gateway_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [gatewayId, seq, limit]
            ).map(Self.hubEvent)
        }
    }

    public func recentEvents(limit: Int) async throws -> [HubEvent] {
        let gatewayId = self.gatewayId
        return try await readSnapshot("read recent events") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM events WHERE gateway_id = ? ORDER BY seq DESC LIMIT ?",
                arguments: [gatewayId, limit]
            ).map(Self.hubEvent)
        }
    }

    public func position() async throws -> HubPosition {
        let gatewayId = self.gatewayId
        return try await readSnapshot("read hub position") { db in try Self.position(gatewayId: gatewayId, db) }
    }

    static func position(gatewayId: String, _ db: Database) throws -> HubPosition {
        let head = try Int64.fetchOne(
            db, sql: "SELECT head_seq FROM gateway_states WHERE gateway_id = ?", arguments: [gatewayId]) ?? 0
        let oldest = try Row.fetchOne(
            db, sql: "SELECT seq, processed_at FROM events WHERE gateway_id = ? ORDER BY seq LIMIT 1",
            arguments: [gatewayId])
        guard let oldest else { return HubPosition(headSeq: head, oldestSeq: head + 1) }
        return HubPosition(
            headSeq: head, oldestSeq: oldest["seq"], oldestProcessedAt: Timestamp(microseconds: oldest["processed_at"]))
    }

    public func processedAt(seq: Int64) async throws -> Timestamp? {
        let gatewayId = self.gatewayId
        return try await readSnapshot("read event time") { db in
            try Int64.fetchOne(
                db, sql: "SELECT processed_at FROM events WHERE gateway_id = ? AND seq = ?", arguments: [gatewayId, seq]
            ).map { Timestamp(microseconds: $0) }
        }
    }

    public func pruneEvents(processedBefore cutoff: Timestamp) async throws -> Int {
        let gatewayId = self.gatewayId
        return try await writeTransaction("prune events") { db in
            // Only a contiguous prefix of seqs goes: if the clock stepped back, a later event can
            // carry an older processed_at, and pruning it alone would open a gap.
            try db.execute(
                sql: """
                    DELETE FROM events WHERE gateway_id = ? AND seq < COALESCE(
                        (SELECT MIN(seq) FROM events WHERE gateway_id = ? AND processed_at >= ?),
                        (SELECT MAX(seq) + 1 FROM events WHERE gateway_id = ?))
                    """,
                arguments: [gatewayId, gatewayId, cutoff.microseconds, gatewayId])
            return db.changesCount
        }
    }

    public func viewSnapshot() async throws -> (artifacts: [ArtifactSummary], headSeq: Int64) {
        let gatewayId = self.gatewayId
        return try await readSnapshot("read view snapshot") { db in
            let head = try Int64.fetchOne(
                db, sql: "SELECT head_seq FROM gateway_states WHERE gateway_id = ?", arguments: [gatewayId]) ?? 0
            let artifacts = try Self.fetchSummaries(db, originFilter: nil)
            return (artifacts, head)
        }
    }

    public func changeSignals(fallbackPoll: Duration) -> AsyncStream<Void> {
        DataVersionWatcher.signals(path: path, fallbackPoll: fallbackPoll)
    }

    public func databaseNow() async throws -> Timestamp {
        try await readSnapshot("read clock") { db in
            Timestamp(microseconds: try Int64.fetchOne(db, sql: "SELECT \(Self.nowSQL)") ?? 0)
        }
    }
}
