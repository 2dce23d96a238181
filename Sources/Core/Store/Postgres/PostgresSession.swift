import Foundation
internal import PostgresNIO

/// A pooled PostgresNIO connection as a `StoreSession`.
struct PostgresSession: StoreSession {
    let conn: PostgresConnection
    let logger: Logger

    var dialect: SQLDialect { .postgres }

    func execute(_ sql: SQL) async throws {
        try await conn.checkedQuery(Self.query(sql), logger: logger)
    }

    func changes(_ sql: SQL) async throws -> Int {
        var count = 0
        try await forEach(SQL(parts: sql.parts + [.text(" RETURNING 1")]), table: "") { _ in count += 1 }
        return count
    }

    func forEach(_ sql: SQL, table: String, _ row: (StoreRow) throws -> Void) async throws {
        for try await r in try await conn.checkedQuery(Self.query(sql), logger: logger) {
            try row(StoreRow(values: try r.map(Self.value), table: table))
        }
    }

    static func query(_ sql: SQL) -> PostgresQuery {
        let (text, values) = sql.rendered(for: .postgres)
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null, .time(nil): binds.appendNull()
            case .int(let n), .time(let n?): binds.append(n)
            case .text(let t): binds.append(t)
            case .double(let d): binds.append(d)
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
        case .float4, .float8: return .double(try cell.decode(Double.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        default: return .text(try cell.decode(String.self))
        }
    }
}

extension PostgresSession {
    /// Publishing on PostgreSQL, in two round trips under the gateway row's lock: the lock, the
    /// head and which ids are taken (the LATERAL … LIMIT 1 keeps one unique-index probe per id:
    /// `event_id = ANY(…)` let the planner pick a bitmap scan of every event of the gateway); then
    /// insert, new head and `NOTIFY` (delivered at commit) in one statement. Seqs as
    /// `EventSeqs.assign` gives them. The statements are PostgreSQL's own (arrays, `unnest`, DML
    /// in a CTE): written once for both, this path took five round trips and sustained half the
    /// publish rate.
    func publish(_ events: [NewEvent], gatewayId: String, describesChanges: Bool) async throws -> [Int64?] {
        guard !events.isEmpty else { return [] }
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
        let (rows, seqs) = EventSeqs.assign(events, after: head, taken: taken, describesChanges: describesChanges)
        guard let first = rows.first?.seq, let last = rows.last?.seq else { return seqs }
        let batch = rows.map(\.event)
        try await conn.checkedQuery(
            """
            WITH inserted AS (
                INSERT INTO events(gateway_id, seq, event_id, entity_type, action, entity_id, event_data, originated_at, processed_at)
                SELECT \(gatewayId), \(first) + e.ord - 1, e.event_id, e.entity_type, e.action, e.entity_id, e.event_data,
                       timestamptz 'epoch' + e.originated * interval '1 microsecond', clock_timestamp()
                FROM unnest(\(batch.map(\.eventId))::text[], \(batch.map(\.entityType))::text[], \(batch.map(\.action.rawValue))::text[],
                            \(batch.map(\.entityId))::text[], \(batch.map(\.eventData))::text[], \(batch.map(\.originatedAt.microseconds))::bigint[])
                     WITH ORDINALITY AS e(event_id, entity_type, action, entity_id, event_data, originated, ord)
                RETURNING 1
            ), head AS (
                UPDATE gateway_states SET head_seq = \(last), version_id = \(UUID().uuidString.lowercased()), updated_at = clock_timestamp()
                WHERE gateway_id = \(gatewayId) RETURNING 1
            )
            SELECT pg_notify(\(PostgresStore.channel), \(gatewayId)), (SELECT count(*) FROM inserted), (SELECT count(*) FROM head)
            """, logger: logger)
        return seqs
    }
}

extension PostgresStore: SQLStore {
    public func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await transaction(operation) { conn in try await body(PostgresSession(conn: conn, logger: logger)) }
    }

    public func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await reading(operation) { conn in try await body(PostgresSession(conn: conn, logger: logger)) }
    }

    public func snapshot<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await transaction(operation) { conn in
            try await conn.checkedQuery("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            return try await body(PostgresSession(conn: conn, logger: logger))
        }
    }

    public func autocommit(_ operation: String, _ sql: SQL) async throws {
        try await reading(operation) { conn in try await conn.checkedQuery(PostgresSession.query(sql), logger: logger) }
    }
}
