import Foundation

extension SQLStore {
    public func publish(_ events: [NewEvent]) async throws -> [Int64?] {
        let gatewayId = self.gatewayId
        return try await write("publish events") { s in try await s.publish(events, gatewayId: gatewayId) }
    }

    static var eventColumns: SQL {
        "gateway_id, seq, event_id, entity_type, action, entity_id, event_data, \(SQL.micros("originated_at")), \(SQL.micros("processed_at"))"
    }

    static func hubEvent(_ r: StoreRow) throws -> HubEvent {
        let seq = try r.int64(1)
        return HubEvent(
            gatewayId: try r.text(0), seq: seq, eventId: try r.text(2), entityType: try r.text(3),
            action: try r.word(4, as: EventAction.self, column: "action", key: "seq \(seq)"), entityId: try r.text(5),
            eventData: try r.text(6), originatedAt: try r.time(7), processedAt: try r.time(8))
    }

    public func events(after seq: Int64, limit: Int) async throws -> [HubEvent] {
        let gatewayId = self.gatewayId
        return try await read("read events") { s in
            try await s.rows(
                "SELECT \(Self.eventColumns) FROM events WHERE gateway_id = \(gatewayId) AND seq > \(seq) ORDER BY seq LIMIT \(limit)",
                table: "events", Self.hubEvent)
        }
    }

    public func recentEvents(limit: Int) async throws -> [HubEvent] {
        let gatewayId = self.gatewayId
        return try await read("read recent events") { s in try await Self.recentEvents(gatewayId: gatewayId, limit: limit, s) }
    }

    static func recentEvents(gatewayId: String, limit: Int, _ s: any StoreSession) async throws -> [HubEvent] {
        try await s.rows(
            "SELECT \(Self.eventColumns) FROM events WHERE gateway_id = \(gatewayId) ORDER BY seq DESC LIMIT \(limit)",
            table: "events", Self.hubEvent)
    }

    public func position() async throws -> HubPosition {
        let gatewayId = self.gatewayId
        return try await read("read hub position") { s in try await Self.position(gatewayId: gatewayId, s) }
    }

    /// The head and the oldest retained event, in one statement (one snapshot).
    static func position(gatewayId: String, _ s: any StoreSession) async throws -> HubPosition {
        let oldest: SQL = "FROM events WHERE gateway_id = \(gatewayId) ORDER BY seq LIMIT 1"
        return try await s.first(
            """
            SELECT head_seq, (SELECT seq \(oldest)), (SELECT \(SQL.micros("processed_at")) \(oldest))
            FROM gateway_states WHERE gateway_id = \(gatewayId)
            """, table: "gateway_states"
        ) { r in
            let head = try r.int64(0)
            guard let seq = try r.optionalInt64(1) else { return HubPosition(headSeq: head, oldestSeq: head + 1) }
            return HubPosition(headSeq: head, oldestSeq: seq, oldestProcessedAt: try r.optionalTime(2))
        } ?? HubPosition(headSeq: 0, oldestSeq: 1)
    }

    public func processedAt(seq: Int64) async throws -> Timestamp? {
        let gatewayId = self.gatewayId
        return try await read("read event time") { s in try await Self.processedAt(gatewayId: gatewayId, seq: seq, s) }
    }

    static func processedAt(gatewayId: String, seq: Int64, _ s: any StoreSession) async throws -> Timestamp? {
        try await s.int64("SELECT \(SQL.micros("processed_at")) FROM events WHERE gateway_id = \(gatewayId) AND seq = \(seq)", table: "events")
            .map { Timestamp(microseconds: $0) }
    }

    public func pruneEvents(processedBefore cutoff: Timestamp) async throws -> Int {
        let gatewayId = self.gatewayId
        return try await write("prune events") { s in
            // Replicas on several hosts prune one at a time on PostgreSQL: the others find the
            // advisory lock taken and skip this round (SQLite has one writer anyway).
            if s.dialect == .postgres {
                let mine = try await s.int64(
                    "SELECT CASE WHEN pg_try_advisory_xact_lock(734602, hashtext(\(gatewayId))) THEN 1 ELSE 0 END", table: "lock")
                guard mine == 1 else { return 0 }
            }
            // Only a contiguous prefix of seqs goes: if the clock stepped back, a later event can
            // carry an older processed_at, and pruning it alone would open a gap.
            return try await s.changes(
                """
                DELETE FROM events WHERE gateway_id = \(gatewayId) AND seq < COALESCE(
                    (SELECT MIN(seq) FROM events WHERE gateway_id = \(gatewayId) AND processed_at >= \(time: cutoff)),
                    (SELECT MAX(seq) + 1 FROM events WHERE gateway_id = \(gatewayId)))
                """)
        }
    }

    public func viewSnapshot() async throws -> (artifacts: [ArtifactSummary], headSeq: Int64) {
        let gatewayId = self.gatewayId
        let (artifacts, head) = try await snapshot("read view snapshot") { s in
            (try await ArtifactRows.summaries(s), try await Self.position(gatewayId: gatewayId, s).headSeq)
        }
        return (artifacts, head)
    }

    public func databaseNow() async throws -> Timestamp {
        try await read("read clock") { s in try await Self.databaseNow(s) }
    }
}

extension StoreSession {
    func publish(_ events: [NewEvent], gatewayId: String) async throws -> [Int64?] {
        try await publish(events, gatewayId: gatewayId, describesChanges: false)
    }

    /// Publishing in SQL both dialects read (SQLite's): lock the gateway row (SQLite has one
    /// writer anyway), find which ids are taken, insert the batch with seqs as
    /// `EventSeqs.assign` gives them, move the head. Seqs follow commit order with no gaps. One
    /// insert a row, as for artifacts (`ArtifactRows.guardedUpsert`): a multi-row insert would
    /// take a statement journal on SQLite.
    func publishPortably(_ events: [NewEvent], gatewayId: String, describesChanges: Bool) async throws -> [Int64?] {
        guard !events.isEmpty else { return [] }
        let head = try await int64("SELECT head_seq FROM gateway_states WHERE gateway_id = \(gatewayId) \(SQL.forUpdate)", table: "gateway_states") ?? 0
        var taken = Set<String>()
        // One probe of the unique (gateway_id, event_id) index per id, up to 128 ids a statement.
        for chunk in events.statementRuns() {
            let ids = chunk.map { event -> SQL in "\(event.eventId)" }.joined(", ")
            try await forEach("SELECT event_id FROM events WHERE gateway_id = \(gatewayId) AND event_id IN (\(ids))", table: "events") {
                taken.insert(try $0.text(0))
            }
        }
        let (rows, seqs) = EventSeqs.assign(events, after: head, taken: taken, describesChanges: describesChanges)
        guard let last = rows.last?.seq else { return seqs }
        for row in rows {
            let e = row.event
            try await execute(
                """
                INSERT INTO events(gateway_id, seq, event_id, entity_type, action, entity_id, event_data, originated_at, processed_at)
                VALUES (\(gatewayId), \(row.seq), \(e.eventId), \(e.entityType), \(e.action), \(e.entityId), \(e.eventData), \(time: e.originatedAt), \(SQL.now))
                """)
        }
        try await execute(
            "UPDATE gateway_states SET head_seq = \(last), version_id = \(UUID().uuidString.lowercased()), updated_at = \(SQL.now) WHERE gateway_id = \(gatewayId)")
        return seqs
    }
}
