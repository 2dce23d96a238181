/// One row of a query's result, its columns in the SELECT's order. A value of the wrong type (a
/// hand-edited SQLite file can hold text in an integer column) is a `corruptRow`, never a crash.
public struct StoreRow: Sendable {
    let values: [SQLValue]
    let table: String

    func text(_ i: Int) throws -> String {
        guard case .text(let t) = values[i] else { throw wrongType(i, "text") }
        return t
    }

    func optionalText(_ i: Int) throws -> String? {
        if case .null = values[i] { return nil }
        return try text(i)
    }

    func int64(_ i: Int) throws -> Int64 {
        switch values[i] {
        case .int(let n), .time(let n?): return n
        default: throw wrongType(i, "an integer")
        }
    }

    func optionalInt64(_ i: Int) throws -> Int64? {
        if case .null = values[i] { return nil }
        return try int64(i)
    }

    func int(_ i: Int) throws -> Int { Int(try int64(i)) }

    func double(_ i: Int) throws -> Double {
        switch values[i] {
        case .double(let d): return d
        case .int(let n): return Double(n)
        default: throw wrongType(i, "a number")
        }
    }

    func time(_ i: Int) throws -> Timestamp { Timestamp(microseconds: try int64(i)) }

    func optionalTime(_ i: Int) throws -> Timestamp? { try optionalInt64(i).map { Timestamp(microseconds: $0) } }

    /// A stored word read as `T` (`StoredValue.decode`).
    func word<T: RawRepresentable<String>>(_ i: Int, as type: T.Type, column: String, key: String) throws -> T {
        try StoredValue.decode(try text(i), as: type, column: column, table: table, key: key)
    }

    private func wrongType(_ i: Int, _ expected: String) -> StorageError {
        .corruptRow(table: table, key: "row", reason: "column \(i + 1) holds \(values[i]) where \(expected) belongs")
    }
}

/// A connection inside one transaction (or one read snapshot) of either backend. The shared
/// statements (`SQLStore`'s extensions) run through it; the backends only execute.
public protocol StoreSession {
    var dialect: SQLDialect { get }
    /// Runs a statement.
    func execute(_ sql: SQL) async throws
    /// Runs a statement that inserts, updates or deletes; returns how many rows it changed.
    func changes(_ sql: SQL) async throws -> Int
    /// Runs a query and hands each row, in order, to `row` (rows are not gathered first: a
    /// listing of 100,000 artifacts streams). `table` names the rows in a `corruptRow`.
    func forEach(_ sql: SQL, table: String, _ row: (StoreRow) throws -> Void) async throws
    /// Publishes hub events inside this write transaction, seqs as `EventSeqs.assign` gives them
    /// (`publishPortably`, or a backend's faster statements for its hot path).
    func publish(_ events: [NewEvent], gatewayId: String, describesChanges: Bool) async throws -> [Int64?]
}

extension StoreSession {
    /// Every row, decoded.
    func rows<T>(_ sql: SQL, table: String, _ decode: (StoreRow) throws -> T) async throws -> [T] {
        var result: [T] = []
        try await forEach(sql, table: table) { result.append(try decode($0)) }
        return result
    }

    /// The first row, decoded, or nil.
    func first<T>(_ sql: SQL, table: String, _ decode: (StoreRow) throws -> T) async throws -> T? {
        var result: T?
        try await forEach(sql, table: table) { row in if result == nil { result = try decode(row) } }
        return result
    }

    /// The first column of the first row as an integer (a count, an id), or nil.
    func int64(_ sql: SQL, table: String) async throws -> Int64? {
        try await first(sql, table: table) { try $0.optionalInt64(0) } ?? nil
    }
}

/// A store whose rules are written once, over `StoreSession`s. The two backends conform by
/// opening sessions; every storage method they share lives in this protocol's extensions.
///
/// Public only because the store protocols it implements are; it is not an API.
public protocol SQLStore: GatewayStore {
    /// Runs `body` in one write transaction, mapping failures to `StorageError`.
    func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (any StoreSession) async throws -> T) async throws -> T
    /// Runs `body` in one read (a snapshot on SQLite).
    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (any StoreSession) async throws -> T) async throws -> T
    /// Runs `body` in one consistent snapshot across statements (a read-only transaction at
    /// REPEATABLE READ on PostgreSQL).
    func snapshot<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (any StoreSession) async throws -> T) async throws -> T
    /// Runs one statement on its own: no transaction around it where the backend can skip one
    /// (a replica's cursor write is one round trip per applied batch on PostgreSQL).
    func autocommit(_ operation: String, _ sql: SQL) async throws
}
