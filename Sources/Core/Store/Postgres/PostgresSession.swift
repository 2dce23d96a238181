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
