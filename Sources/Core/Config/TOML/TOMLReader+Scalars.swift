/// Strings, numbers and booleans.
extension TOMLReader {
    /// A string opened by `quote`: `"…"` with escapes, `'…'` as written, or their multi-line
    /// forms.
    mutating func string(quote: UInt8) throws -> String {
        if peek(1) == quote, peek(2) == quote { return try multilineString(quote: quote) }
        at += 1
        var out: [UInt8] = []
        while true {
            guard let byte = peek(), byte != .newline, byte != .carriageReturn else {
                throw fail("a string is missing its closing \(Character(Unicode.Scalar(quote)))")
            }
            if byte == quote {
                at += 1
                return String(decoding: out, as: UTF8.self)
            }
            if byte == .backslash, quote == .quote {
                try escape(into: &out)
            } else {
                try character(byte, into: &out)
            }
        }
    }

    /// `"""…"""` or `'''…'''`. A line break right after the opening is not part of the string;
    /// line breaks inside read as `\n`.
    mutating func multilineString(quote: UInt8) throws -> String {
        let fence = String(repeating: Character(Unicode.Scalar(quote)), count: 3)
        let startLine = line
        at += 3
        _ = try lineBreak()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw TOMLError(line: startLine, reason: "a multi-line string is missing its closing \(fence)")
            }
            if byte == quote, peek(1) == quote, peek(2) == quote {
                var run = 3
                while peek(run) == quote { run += 1 }
                guard run <= 5 else { throw fail("more than two quotes before the closing \(fence)") }
                out += repeatElement(quote, count: run - 3)
                at += run
                return String(decoding: out, as: UTF8.self)
            }
            if byte == .newline || byte == .carriageReturn {
                _ = try lineBreak()
                out.append(.newline)
            } else if byte == .backslash, quote == .quote {
                if try lineEndingBackslash() { continue }
                try escape(into: &out)
            } else {
                try character(byte, into: &out)
            }
        }
    }

    /// A `\` that ends a line of a multi-line basic string drops itself and every blank and
    /// line break up to the next other character.
    mutating func lineEndingBackslash() throws -> Bool {
        var next = at + 1
        while next < bytes.count, bytes[next] == .space || bytes[next] == .tab { next += 1 }
        guard next < bytes.count, bytes[next] == .newline || bytes[next] == .carriageReturn else { return false }
        at = next
        while true {
            skipBlanks()
            guard try lineBreak() else { return true }
        }
    }

    mutating func escape(into out: inout [UInt8]) throws {
        at += 1
        guard let code = peek(), code != .newline, code != .carriageReturn else {
            throw fail("a string ends in a lone \\")
        }
        switch code {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case .quote, .backslash: out.append(code)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = code == UInt8(ascii: "u") ? 4 : 8
            let digits = bytes[min(at + 1, bytes.count)..<min(at + 1 + count, bytes.count)]
            guard digits.count == count, digits.allSatisfy(\.isHexDigit),
                let value = UInt32(String(decoding: digits, as: UTF8.self), radix: 16), let scalar = Unicode.Scalar(value)
            else {
                throw fail("\\\(Character(Unicode.Scalar(code))) must be followed by \(count) hex digits of a Unicode scalar")
            }
            out += Array(String(Character(scalar)).utf8)
            at += count
        default:
            throw fail("unknown escape \\ followed by \(describeNext()) (write \\\\ for a backslash)")
        }
        at += 1
    }

    /// One byte of a string's text: anything but a control character other than tab.
    mutating func character(_ byte: UInt8, into out: inout [UInt8]) throws {
        guard byte >= 0x20 || byte == .tab, byte != 0x7F else {
            throw fail("a control character in a string; write it as an escape such as \\u0001")
        }
        out.append(byte)
        at += 1
    }

    /// `true`, `false`, a number, or a clear error for a value that needs quotes.
    mutating func bareValue() throws -> TOMLValue {
        let start = at
        while let byte = peek(), byte.isBareValue { at += 1 }
        let token = String(decoding: bytes[start..<at], as: UTF8.self)
        guard !token.isEmpty else { throw fail("expected a value, found \(describeNext())") }
        switch token {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if let number = try Self.number(token, line: line) { return number }
        if Self.looksLikeDate(token) { throw fail("\(token): dates and times are not read here; quote the value") }
        throw fail("\(token) is not a value (a string needs quotes)")
    }

    /// An integer (decimal, `0x`, `0o`, `0b`) or a float, with `_` between digits; nil when
    /// `token` is not one.
    /// - Throws: `TOMLError` for an integer that does not fit in 64 bits.
    static func number(_ token: String, line: Int) throws -> TOMLValue? {
        let outOfRange = TOMLError(line: line, reason: "\(token) does not fit in a 64-bit integer")
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where token.hasPrefix(prefix) {
            guard let digits = digitRun(token.dropFirst(2), radix: radix) else { return nil }
            guard let value = Int(digits, radix: radix) else { throw outOfRange }
            return .integer(value)
        }
        var body = Substring(token)
        let negative = body.first == "-"
        if negative || body.first == "+" { body = body.dropFirst() }
        let exponentAt = body.firstIndex { $0 == "e" || $0 == "E" }
        let mantissa = body[..<(exponentAt ?? body.endIndex)]
        let dot = mantissa.firstIndex(of: ".")
        guard let whole = digitRun(mantissa[..<(dot ?? mantissa.endIndex)], radix: 10), whole == "0" || !whole.hasPrefix("0")
        else { return nil }
        if dot == nil, exponentAt == nil {
            guard let value = Int((negative ? "-" : "") + whole) else { throw outOfRange }
            return .integer(value)
        }
        var text = whole
        if let dot {
            guard let fraction = digitRun(mantissa[mantissa.index(after: dot)...], radix: 10) else { return nil }
            text += "." + fraction
        }
        if let exponentAt {
            var exponent = body[body.index(after: exponentAt)...]
            var sign = ""
            if let first = exponent.first, first == "+" || first == "-" {
                sign = String(first)
                exponent = exponent.dropFirst()
            }
            guard let digits = digitRun(exponent, radix: 10) else { return nil }
            text += "e" + sign + digits
        }
        guard let value = Double(text) else { return nil }
        return .float(negative ? -value : value)
    }

    /// The digits of `text` without the `_` allowed between them; nil if empty or malformed.
    static func digitRun(_ text: Substring, radix: Int) -> String? {
        var digits = ""
        var afterDigit = false
        for character in text {
            if character == "_" {
                guard afterDigit else { return nil }
                afterDigit = false
                continue
            }
            guard character.isASCII, let value = character.hexDigitValue, value < radix else { return nil }
            digits.append(character)
            afterDigit = true
        }
        return afterDigit ? digits : nil
    }

    /// `1979-05-27` or `07:32:00`: TOML dates and times, which gwops's files have no use for.
    static func looksLikeDate(_ token: String) -> Bool {
        let b = Array(token.utf8)
        func digits(_ count: Int) -> Bool { b.count > count && b[..<count].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        return (digits(4) && b[4] == UInt8(ascii: "-")) || (digits(2) && b[2] == UInt8(ascii: ":"))
    }
}

extension UInt8 {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let hash = UInt8(ascii: "#")
    static let quote = UInt8(ascii: "\"")
    static let apostrophe = UInt8(ascii: "'")
    static let backslash = UInt8(ascii: "\\")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let dot = UInt8(ascii: ".")
    static let equals = UInt8(ascii: "=")
    static let comma = UInt8(ascii: ",")

    var isLetterOrDigit: Bool { (self >= 0x30 && self <= 0x39) || ((self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A) }
    var isHexDigit: Bool { (self >= 0x30 && self <= 0x39) || ((self | 0x20) >= 0x61 && (self | 0x20) <= 0x66) }
    /// What a bare key is made of: `A-Z a-z 0-9 _ -`.
    var isBareKey: Bool { isLetterOrDigit || self == UInt8(ascii: "_") || self == UInt8(ascii: "-") }
    /// What an unquoted value is made of (numbers, booleans, and the mistakes worth naming).
    var isBareValue: Bool { isBareKey || self == UInt8(ascii: "+") || self == .dot || self == UInt8(ascii: ":") }
}
