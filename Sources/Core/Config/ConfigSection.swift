import Foundation

/// One TOML table being read: knows its dotted path for errors and rejects keys it does not know.
struct ConfigSection {
    /// The table, or nil when the section is absent (every read then returns nil).
    let contents: TOMLTable?
    let path: String
    let file: String

    init(_ table: TOMLTable?, path: String, file: String, keys allowed: [String]) throws {
        self.contents = table
        self.path = path
        self.file = file
        guard let table else { return }
        for key in table.keys where !allowed.contains(key) {
            let isTable = table[key]?.table != nil
            var reason = isTable ? "unknown section" : "unknown key"
            if let guess = allowed.min(by: { editDistance(key, $0) < editDistance(key, $1) }),
                editDistance(key, guess) <= min(2, key.count - 1)
            {
                reason += "; did you mean \"\(guess)\"?"
            }
            throw ConfigError(file: file, key: dotted(key), reason: reason)
        }
    }

    func dotted(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ reason: String) -> ConfigError {
        ConfigError(file: file, key: dotted(key), reason: reason)
    }

    func required<T>(_ key: String, _ value: T?) throws -> T {
        guard let value else { throw error(key, "is required") }
        return value
    }

    private func value<T>(_ key: String, expected: String, _ typed: (TOMLValue) -> T?) throws -> T? {
        guard let value = contents?[key] else { return nil }
        guard let result = typed(value) else { throw error(key, "must be \(expected) (got \(value.kind))") }
        return result
    }

    func subsection(_ key: String, keys: [String]) throws -> ConfigSection {
        let table = try value(key, expected: "a table", \.table)
        return try ConfigSection(table, path: dotted(key), file: file, keys: keys)
    }

    func string(_ key: String) throws -> String? {
        guard let text = try value(key, expected: "a string", \.string) else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw error(key, "must not be empty") }
        return text
    }

    /// A non-empty string without whitespace (ids, names, variable names).
    func identifier(_ key: String) throws -> String? {
        guard let text = try string(key) else { return nil }
        guard !text.contains(where: { $0.isWhitespace }) else {
            throw error(key, "must not contain whitespace (got \"\(text)\")")
        }
        return text
    }

    /// A list of identifiers (group names), possibly empty.
    func identifiers(_ key: String) throws -> [String]? {
        guard let items = try value(key, expected: "a list of strings", \.array) else { return nil }
        return try items.enumerated().map { index, item in
            guard let text = item.string, !text.isEmpty, !text.contains(where: { $0.isWhitespace }) else {
                throw error(key, "item \(index + 1) must be a name without whitespace (got \(item.kind))")
            }
            return text
        }
    }

    func bool(_ key: String) throws -> Bool? {
        try value(key, expected: "true or false", \.bool)
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let number = try value(key, expected: "an integer", \.int) else { return nil }
        guard range.contains(number) else {
            let bounds = range.upperBound == Int.max
                ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            throw error(key, "must be \(bounds) (got \(number))")
        }
        return number
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, of _: T.Type) throws -> T?
    where T.RawValue == String {
        let names = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
        guard let text = try value(key, expected: "one of \(names)", \.string) else { return nil }
        guard let choice = T(rawValue: text) else { throw error(key, "must be one of \(names) (got \"\(text)\")") }
        return choice
    }

    /// A positive duration: a number of seconds, or a string such as `"250ms"`, `"30s"`, `"5m"`, `"24h"`, `"7d"`.
    func duration(_ key: String) throws -> Duration? {
        guard let value = contents?[key] else { return nil }
        let parsed: Duration?
        let shown: String
        switch value {
        case .integer(let number):
            parsed = DurationParser.seconds(number)
            shown = String(number)
        case .float(let number):
            parsed = DurationParser.seconds(number)
            shown = String(number)
        case .string(let text):
            parsed = DurationParser.parse(text)
            shown = "\"\(text)\""
        default:
            throw error(key, "must be a duration such as \"30s\" or a number of seconds (got \(value.kind))")
        }
        guard let parsed else {
            throw error(key, "must be a duration such as \"250ms\", \"30s\", \"5m\", \"24h\" or \"7d\" (got \(shown))")
        }
        guard parsed > .zero else { throw error(key, "must be greater than zero (got \(shown))") }
        return parsed
    }
}

/// Levenshtein distance, used to suggest the intended key for a typo.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for (i, ca) in a.enumerated() {
        var current = [i + 1]
        for (j, cb) in b.enumerated() {
            current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
        }
        previous = current
    }
    return previous[b.count]
}
