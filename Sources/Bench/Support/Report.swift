import Foundation

/// A JSON value built by the suites (numbers rounded to 3 decimals).
indirect enum Figure: Sendable, Encodable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case object([String: Figure])

    struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
        switch self {
        case .number(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d.isFinite ? (d * 1000).rounded() / 1000 : -1)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .object(let o):
            var c = encoder.container(keyedBy: FieldKey.self)
            for (k, v) in o { try c.encode(v, forKey: FieldKey(k)) }
        }
    }
}

extension Figure: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByBooleanLiteral
{
    init(floatLiteral value: Double) { self = .number(value) }
    init(integerLiteral value: Int) { self = .number(Double(value)) }
    init(stringLiteral value: String) { self = .string(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(dictionaryLiteral elements: (String, Figure)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
}

/// Prints the suites' reports: JSON (one object) or text, with the run's context.
enum Report {
    static func print(_ reports: [(String, SuiteReport)], options: SuiteOptions) throws {
        var top: [String: Figure] = ["meta": context]
        for (key, report) in reports { top[key] = report.json }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let json = try encoder.encode(Figure.object(top))
        if let path = options.jsonOut { try json.write(to: URL(fileURLWithPath: path)) }
        if options.json {
            Swift.print(String(decoding: json, as: UTF8.self))
        } else {
            for (key, report) in reports {
                Swift.print("\n## \(key)")
                // The table, a blank line, then its note (Markdown ends a table at a blank line).
                report.lines.dropLast().forEach { Swift.print($0) }
                Swift.print("\n" + (report.lines.last ?? ""))
            }
        }
    }

    static var context: Figure {
        var info = utsname()
        uname(&info)
        let machine = withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        return [
            "date": .string(ISO8601DateFormatter().string(from: Date())),
            "cores": .number(Double(ProcessInfo.processInfo.activeProcessorCount)),
            "memory_gb": .number(Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824),
            "machine": .string(machine),
            "build": .string(isDebugBuild ? "debug" : "release"),
        ]
    }

    static var isDebugBuild: Bool {
        #if DEBUG
        true
        #else
        false
        #endif
    }
}

/// Progress on stderr, so stdout stays the report.
enum Progress {
    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
