/// A value bound to a statement or read from a row, the same on both backends.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case text(String)
    case double(Double)
    /// A point in time in microseconds since the epoch: an integer column in SQLite, a
    /// `timestamptz` in PostgreSQL (the dialect converts it at the placeholder).
    case time(Int64?)
}

/// The two SQL dialects gwops speaks. Everything they disagree on that the shared statements need
/// is here: placeholders, the database clock, times, row locks.
public enum SQLDialect: Sendable {
    case sqlite, postgres

    /// The `n`th (1-based) placeholder, for a value or a time.
    func placeholder(_ n: Int, time: Bool) -> String {
        switch self {
        case .sqlite: "?"
        case .postgres: time ? "(timestamptz 'epoch' + $\(n)::bigint * interval '1 microsecond')" : "$\(n)"
        }
    }

    /// The database clock, as a time column stores it.
    var now: String {
        switch self {
        case .sqlite: "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"
        case .postgres: "clock_timestamp()"
        }
    }

    /// A time column read as microseconds since the epoch.
    func micros(_ column: String) -> String {
        switch self {
        case .sqlite: column
        case .postgres: "(extract(epoch from \(column)) * 1000000)::bigint"
        }
    }

    /// Locks the rows a SELECT reads until the transaction ends (SQLite's IMMEDIATE transaction
    /// already holds the whole database).
    var forUpdate: String {
        switch self {
        case .sqlite: ""
        case .postgres: "FOR UPDATE"
        }
    }
}

/// A statement written once for both dialects: text with interpolated values, each bound as a
/// parameter (never spliced into the text), and dialect fragments rendered at the end.
///
///     let sql: SQL = "UPDATE orphan_reviews SET status = \(status.rawValue), updated_at = \(SQL.now) WHERE id = \(id)"
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    enum Part: Sendable {
        case text(String)
        case value(SQLValue)
        case now
        case micros(String)
        case nowMicros
        case forUpdate
    }

    var parts: [Part]

    public init(stringLiteral value: String) { parts = [.text(value)] }
    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }
    init(parts: [Part]) { self.parts = parts }

    /// The database clock.
    public static let now = SQL(parts: [.now])
    /// The database clock in microseconds.
    public static let nowMicros = SQL(parts: [.nowMicros])
    /// `FOR UPDATE` where the dialect locks rows.
    public static let forUpdate = SQL(parts: [.forUpdate])
    /// A time column read as microseconds.
    public static func micros(_ column: String) -> SQL { SQL(parts: [.micros(column)]) }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) { parts.reserveCapacity(interpolationCount * 2 + 1) }
        public mutating func appendLiteral(_ literal: String) { parts.append(.text(literal)) }
        public mutating func appendInterpolation(_ value: String?) { parts.append(.value(value.map { .text($0) } ?? .null)) }
        public mutating func appendInterpolation(_ value: Int64?) { parts.append(.value(value.map { .int($0) } ?? .null)) }
        public mutating func appendInterpolation(_ value: Int?) { parts.append(.value(value.map { .int(Int64($0)) } ?? .null)) }
        public mutating func appendInterpolation(_ value: Double) { parts.append(.value(.double(value))) }
        public mutating func appendInterpolation(_ value: (some RawRepresentable<String>)?) {
            parts.append(.value(value.map { .text($0.rawValue) } ?? .null))
        }
        public mutating func appendInterpolation(time: Timestamp?) { parts.append(.value(.time(time?.microseconds))) }
        /// Trusted SQL text (a column list, a constant): never a value from outside.
        public mutating func appendInterpolation(unescaped text: String) { parts.append(.text(text)) }
        public mutating func appendInterpolation(_ fragment: SQL) { parts.append(contentsOf: fragment.parts) }
    }

    /// The text for `dialect` and the values for its placeholders, in order.
    func rendered(for dialect: SQLDialect) -> (text: String, values: [SQLValue]) {
        var text = ""
        var values: [SQLValue] = []
        for part in parts {
            switch part {
            case .text(let t): text += t
            case .value(let v):
                values.append(v)
                if case .time = v { text += dialect.placeholder(values.count, time: true) } else { text += dialect.placeholder(values.count, time: false) }
            case .now: text += dialect.now
            case .micros(let column): text += dialect.micros(column)
            case .nowMicros: text += dialect.micros(dialect.now)
            case .forUpdate: text += dialect.forUpdate
            }
        }
        return (text, values)
    }
}

extension Array where Element == SQL {
    /// The fragments joined by `separator` (e.g. placeholders for an `IN (…)` list).
    func joined(_ separator: String) -> SQL {
        var parts: [SQL.Part] = []
        for (i, fragment) in enumerated() {
            if i > 0 { parts.append(.text(separator)) }
            parts.append(contentsOf: fragment.parts)
        }
        return SQL(parts: parts)
    }
}

extension Array {
    /// The elements in runs of 128, 64, …, 1 (a batch of 50 is 32 + 16 + 2): a statement over a
    /// run (an `IN` list) has one of eight texts whatever the batch's size, so SQLite keeps each
    /// compiled instead of parsing a new text every batch.
    func statementRuns() -> [ArraySlice<Element>] {
        var runs: [ArraySlice<Element>] = []
        var start = startIndex
        while start < endIndex {
            var size = 128
            while size > endIndex - start { size /= 2 }
            runs.append(self[start..<start + size])
            start += size
        }
        return runs
    }
}
