/// A value of a TOML document (TOML 1.0 without dates and times, which gwops's files never use).
public indirect enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])
    case table(TOMLTable)

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var int: Int? { if case .integer(let value) = self { value } else { nil } }
    public var double: Double? { if case .float(let value) = self { value } else { nil } }
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var array: [TOMLValue]? { if case .array(let value) = self { value } else { nil } }
    public var table: TOMLTable? { if case .table(let value) = self { value } else { nil } }

    /// What an error message calls this kind of value.
    public var kind: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A TOML table: its keys in document order.
public struct TOMLTable: Equatable, Sendable {
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]

    public init() {}

    /// Parses a whole document.
    /// - Throws: `TOMLError` naming the line of the first problem.
    public init(parsing text: String) throws {
        var reader = TOMLReader(text)
        self = try reader.read()
    }

    public subscript(key: String) -> TOMLValue? { values[key] }

    mutating func set(_ key: String, _ value: TOMLValue) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
    }
}

/// A document that is not valid TOML (or uses dates, which gwops does not read).
public struct TOMLError: Error, Equatable, CustomStringConvertible {
    /// 1-based.
    public var line: Int
    public var reason: String

    public var description: String { "line \(line): \(reason)" }
}
