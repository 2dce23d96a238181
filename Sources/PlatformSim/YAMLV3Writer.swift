/// A YAML value, in the order a Go struct marshals its fields.
indirect enum YAMLValue {
    case map([(String, YAMLValue)])
    case seq([YAMLValue])
    case str(String)
    case int(Int)
    case bool(Bool)
}

/// Writes YAML as gopkg.in/yaml.v3 `Marshal` does, the way the real platform writes deployment
/// content (WIRE.md): block style, 4-space indent rounded to multiples of 4, a collection that
/// is a sequence item indented by 2 (past the `- `), and strings quoted only when YAML needs it
/// (double quotes for text that would read as another type, single quotes for indicators).
enum YAMLV3Writer {
    static func document(_ root: [(String, YAMLValue)]) -> String {
        var out = ""
        out.reserveCapacity(2048)
        mapping(root, indent: 0, firstLinePrefix: nil, into: &out)
        return out
    }

    /// The indent of a block collection that is the value of a mapping entry at `indent`.
    private static func nested(_ indent: Int) -> Int { 4 * ((indent + 4) / 4) }

    private static func mapping(_ pairs: [(String, YAMLValue)], indent: Int, firstLinePrefix: String?, into out: inout String) {
        for (index, (key, value)) in pairs.enumerated() {
            if index == 0, let prefix = firstLinePrefix {
                out += prefix
            } else {
                out += String(repeating: " ", count: indent)
            }
            out += scalar(key) + ":"
            switch value {
            case .map(let inner) where inner.isEmpty:
                out += " {}\n"
            case .seq(let items) where items.isEmpty:
                out += " []\n"
            case .map(let inner):
                out += "\n"
                mapping(inner, indent: nested(indent), firstLinePrefix: nil, into: &out)
            case .seq(let items):
                out += "\n"
                sequence(items, indent: nested(indent), into: &out)
            default:
                out += " " + text(value) + "\n"
            }
        }
    }

    private static func sequence(_ items: [YAMLValue], indent: Int, into out: inout String) {
        let dash = String(repeating: " ", count: indent) + "- "
        for item in items {
            switch item {
            case .map(let pairs) where !pairs.isEmpty:
                mapping(pairs, indent: indent + 2, firstLinePrefix: dash, into: &out)
            case .seq(let inner) where !inner.isEmpty:
                out += dash.dropLast() + "\n"
                sequence(inner, indent: indent + 2, into: &out)
            case .map:
                out += dash + "{}\n"
            case .seq:
                out += dash + "[]\n"
            default:
                out += dash + text(item) + "\n"
            }
        }
    }

    private static func text(_ value: YAMLValue) -> String {
        switch value {
        case .str(let s): scalar(s)
        case .int(let n): String(n)
        case .bool(let b): b ? "true" : "false"
        case .map, .seq: ""
        }
    }

    /// A string as yaml.v3 writes it: plain when that reads back as the same string, else
    /// single-quoted, else double-quoted with escapes. (One pass over the bytes: the simulator
    /// writes every scalar of every document it serves, and substring searches cost it more than
    /// the gateway's whole sync.)
    static func scalar(_ s: String) -> String {
        if readsAsOtherType(s) { return doubleQuoted(s) }
        switch analyze(s) {
        case .plain: return s
        case .singleQuoted: return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        case .doubleQuoted: return doubleQuoted(s)
        }
    }

    private enum Style { case plain, singleQuoted, doubleQuoted }

    private static func analyze(_ s: String) -> Style {
        var plain = true
        var previous: UInt8 = 0
        var index = 0
        let count = s.utf8.count
        for c in s.utf8 {
            if c < 0x20 || c == 0x7F { return .doubleQuoted }
            if index == 0 {
                switch c {
                case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ","),
                    UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
                    UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
                    UInt8(ascii: "`"), UInt8(ascii: " "):
                    plain = false
                case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
                    if count == 1 { plain = false }
                default: break
                }
            } else {
                if previous == UInt8(ascii: ":") && c == UInt8(ascii: " ") { plain = false }
                if previous == UInt8(ascii: " ") && c == UInt8(ascii: "#") { plain = false }
                if index == 1, c == UInt8(ascii: " "),
                    previous == UInt8(ascii: "-") || previous == UInt8(ascii: "?") || previous == UInt8(ascii: ":") { plain = false }
            }
            previous = c
            index += 1
        }
        if count == 0 || previous == UInt8(ascii: " ") || previous == UInt8(ascii: ":") { plain = false }
        return plain ? .plain : .singleQuoted
    }

    private static let otherTypeWords: Set<String> = [
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", ".inf", ".nan", "-.inf",
    ]

    private static func readsAsOtherType(_ s: String) -> Bool {
        if otherTypeWords.contains(s) { return true }
        // Only text that starts like a number can read as one.
        guard let first = s.utf8.first, (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
        else { return false }
        if Int(s) != nil || Double(s) != nil { return true }
        return s.hasPrefix("0x") || s.hasPrefix("0o")
    }

    private static func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
