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

    static let eventColumns = """
        gateway_id, seq, event_id, entity_type, action, entity_id, event_data,
        \(PG.micros("originated_at")), \(PG.micros("processed_at"))
        """

    static func decodeEvents(_ rows: PostgresRowSequence) async throws -> [HubEvent] {
        var result: [HubEvent] = []
        for try await (g, seq, id, type, action, entity, data, originated, processed) in rows.decode(
            (String, Int64, String, String, String, String, String, Int64, Int64).self)
        {
            let a = try StoredValue.decode(action, as: EventAction.self, column: "action", table: "events", key: "seq \(seq)")
            result.append(HubEvent(
                gatewayId: g, seq: seq, eventId: id, entityType: type, action: a, entityId: entity, eventData: data,
                originatedAt: Timestamp(microseconds: originated), processedAt: Timestamp(microseconds: processed)))
        }
        return result
    }
}

extension PostgresStore: EventLog {
    public func publish(_ events: [NewEvent]) async throws -> [Int64?] {
        try await transaction("publish events") { conn in
            try await Self.publish(events, gatewayId: gatewayId, on: conn, logger: logger)
        }
    }

    public func events(after seq: Int64, limit: Int) async throws -> [HubEvent] {
        try await reading("read events") { conn in
            try await Self.decodeEvents(try await conn.checkedQuery(
                """
                SELECT \(unescaped: Self.eventColumns) FROM events WHERE gateway_id = \(gatewayId) AND seq > \(seq)
                ORDER BY seq LIMIT \(Int64(limit))
                """, logger: logger))
        }
    }

    public func recentEvents(limit: Int) async throws -> [HubEvent] {
        try await reading("read recent events") { conn in
            try await Self.decodeEvents(try await conn.checkedQuery(
                "SELECT \(unescaped: Self.eventColumns) FROM events WHERE gateway_id = \(gatewayId) ORDER BY seq DESC LIMIT \(Int64(limit))",
                logger: logger))
        }
    }

    public func position() async throws -> HubPosition {
        try await reading("read hub position") { conn in try await Self.position(gatewayId: gatewayId, conn, logger) }
    }

    static func position(gatewayId: String, _ conn: PostgresConnection, _ logger: Logger) async throws -> HubPosition {
        // One statement, one snapshot: head and floor are read together.
        let rows = try await conn.checkedQuery(
            """
            SELECT g.head_seq, e.seq, \(unescaped: PG.micros("e.processed_at"))
            FROM gateway_states g
            LEFT JOIN LATERAL (SELECT seq, processed_at FROM events WHERE gateway_id = g.gateway_id ORDER BY seq LIMIT 1) e ON true
            WHERE g.gateway_id = \(gatewayId)
            """, logger: logger)
        for try await (head, oldest, at) in rows.decode((Int64, Int64?, Int64?).self) {
            guard let oldest else { return HubPosition(headSeq: head, oldestSeq: head + 1) }
            return HubPosition(headSeq: head, oldestSeq: oldest, oldestProcessedAt: at.map { Timestamp(microseconds: $0) })
        }
        return HubPosition(headSeq: 0, oldestSeq: 1)
    }

    public func processedAt(seq: Int64) async throws -> Timestamp? {
        try await reading("read event time") { conn in
            for try await m in try await conn.checkedQuery(
                "SELECT \(unescaped: PG.micros("processed_at")) FROM events WHERE gateway_id = \(gatewayId) AND seq = \(seq)",
                logger: logger
            ).decode(Int64.self) { return Timestamp(microseconds: m) }
            return nil
        }
    }

    /// Prunes on one replica at a time: the others find the advisory lock taken and skip this round.
    public func pruneEvents(processedBefore cutoff: Timestamp) async throws -> Int {
        try await transaction("prune events") { conn in
            var mine = false
            for try await got in try await conn.checkedQuery(
                "SELECT pg_try_advisory_xact_lock(734602, hashtext(\(gatewayId)))", logger: logger
            ).decode(Bool.self) { mine = got }
            guard mine else { return 0 }
            var count = 0
            for try await n in try await conn.checkedQuery(
                """
                WITH gone AS (
                    DELETE FROM events WHERE gateway_id = \(gatewayId) AND seq < COALESCE(
                        (SELECT MIN(seq) FROM events WHERE gateway_id = \(gatewayId)
                            AND processed_at >= timestamptz 'epoch' + \(cutoff.microseconds)::bigint * interval '1 microsecond'),
                        (SELECT MAX(seq) + 1 FROM events WHERE gateway_id = \(gatewayId)))
                    RETURNING 1)
                SELECT COUNT(*) FROM gone
                """, logger: logger
            ).decode(Int64.self) { count = Int(n) }
            return count
        }
    }

    public func viewSnapshot() async throws -> (artifacts: [ArtifactSummary], headSeq: Int64) {
        try await transaction("read view snapshot") { conn in
            try await conn.checkedQuery("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            let position = try await Self.position(gatewayId: gatewayId, conn, logger)
            let artifacts = try await Self.fetchSummaries(conn, logger)
            return (artifacts, position.headSeq)
        }
    }

    public func changeSignals(fallbackPoll: Duration) -> AsyncStream<Void> {
        NotificationWatcher.signals(config: connectionConfig, channel: Self.channel, fallbackPoll: fallbackPoll, logger: logger)
    }

    public func databaseNow() async throws -> Timestamp {
        try await reading("read clock") { conn in
            for try await m in try await conn.checkedQuery("SELECT \(unescaped: PG.nowMicros)", logger: logger).decode(Int64.self) {
                return Timestamp(microseconds: m)
            }
            return .now
        }
    }
}
