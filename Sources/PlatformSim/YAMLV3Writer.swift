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
    /// single-quoted, else double-quoted with escapes.
    static func scalar(_ s: String) -> String {
        if readsAsOtherType(s) { return doubleQuoted(s) }
        if plainAllowed(s) { return s }
        if !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        }
        return doubleQuoted(s)
    }

    private static func readsAsOtherType(_ s: String) -> Bool {
        let words: Set<String> = ["", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", ".inf", ".nan", "-.inf"]
        if words.contains(s) { return true }
        if Int(s) != nil || Double(s) != nil { return true }
        return s.hasPrefix("0x") || s.hasPrefix("0o")
    }

    private static func plainAllowed(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        if first == " " || last == " " || last == ":" { return false }
        if "[]{},#&*!|>'\"%@`".unicodeScalars.contains(first) { return false }
        if "-?:".unicodeScalars.contains(first), s.unicodeScalars.count == 1 || s.unicodeScalars.dropFirst().first == " " { return false }
        if s.contains(": ") || s.contains(" #") { return false }
        return !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
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
