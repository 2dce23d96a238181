/// The fast path of ``YAMLMetadata``: one pass over the UTF-8 bytes of a block-style document.
///
/// It reads keys at the top level and at the first indentation found under `metadata:` and
/// `spec:` (any width), and treats deeper lines as opaque. It declines (returns nil) on anything
/// whose meaning it does not fully know, so the parser decides: a directive or second document,
/// a tab, control or Unicode line-break character, a sequence or complex key where a field could
/// be, a merge key, a duplicate field, and a field's value that is not a one-line plain or
/// quoted scalar without escapes. Top-level values and values beside the fields must be complete
/// on their line (a quoted or flow value left open could hide a key in its continuation).
struct YAMLMetadataScanner {
    private let b: UnsafeBufferPointer<UInt8>
    private var found = YAMLMetadata()

    init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    private enum Section { case metadata, spec, other }

    /// The keys read so far: a second one is a duplicate the parser must judge.
    private struct Seen: OptionSet {
        let rawValue: UInt8
        static let kind = Seen(rawValue: 1), metadata = Seen(rawValue: 2), spec = Seen(rawValue: 4)
        static let name = Seen(rawValue: 8), displayName = Seen(rawValue: 16), version = Seen(rawValue: 32)
    }

    /// A value after `key:` on one line.
    private enum Value {
        /// The scalar's text (without quotes); nil for an empty or null one. Read as a range, so
        /// a value the scanner only checks costs no string.
        case scalar(Range<Int>?)
        case empty  // nothing but maybe a comment: a nested block follows, or null
        case opaque  // a complete value the scanner does not read
    }

    mutating func scan() -> YAMLMetadata? {
        guard Self.plainCharacters(b) else { return nil }
        var section = Section.other
        var childIndent: Int?
        var started = false
        var seen: Seen = []
        // After a field's scalar at this indent, a deeper line would continue it.
        var scalarIndent: Int?
        var lineStart = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while lineStart < b.count {
            var next = lineStart
            while next < b.count, b[next] != UInt8(ascii: "\n") { next += 1 }
            var end = next
            if end > lineStart, b[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = lineStart..<end
            lineStart = next + 1
            var start = line.lowerBound
            while start < end, b[start] == UInt8(ascii: " ") { start += 1 }
            if start == end || b[start] == UInt8(ascii: "#") { continue }
            if b[start] == UInt8(ascii: "\t") { return nil }
            let indent = start - line.lowerBound
            if let limit = scalarIndent {
                if indent > limit { return nil }
                scalarIndent = nil
            }
            if indent == 0 {
                if starts(line, "---") {
                    guard !started, Self.isBlank(b, line.lowerBound + 3, end, afterToken: true) else { return nil }
                    started = true
                    continue
                }
                if starts(line, "...") || b[start] == UInt8(ascii: "%") { return nil }
                started = true
                guard let (key, colon) = key(start, end), !equals(key, "<<") else { return nil }
                if equals(key, "metadata") || equals(key, "spec") {
                    let isMetadata = equals(key, "metadata")
                    guard seen.insert(isMetadata ? .metadata : .spec).inserted, case .empty? = value(colon + 1, end) else { return nil }
                    section = isMetadata ? .metadata : .spec
                    childIndent = nil
                } else if equals(key, "kind") {
                    guard seen.insert(.kind).inserted, case .scalar(let range)? = value(colon + 1, end) else { return nil }
                    found.kind = range.map { text($0) }
                    scalarIndent = 0
                    section = .other
                } else {
                    guard isComplete(colon + 1, end) else { return nil }
                    section = .other
                }
                continue
            }
            guard started else { return nil }  // an indented first line
            // A line skipped unread must not open a quoted scalar that runs on over the next
            // lines (it could swallow `spec:`): an odd count of either quote declines.
            if section == .other { if mayRunOn(start, end) { return nil } else { continue } }
            if childIndent == nil { childIndent = indent }
            guard let child = childIndent, indent >= child else { return nil }
            if indent > child { if mayRunOn(start, end) { return nil } else { continue } }
            guard let (key, colon) = key(start, end), !equals(key, "<<") else { return nil }
            let field: (WritableKeyPath<YAMLMetadata, String?>, Seen)? =
                if section == .metadata, equals(key, "name") { (\.handle, .name) }
                else if section == .spec, equals(key, "displayName") { (\.displayName, .displayName) }
                else if section == .spec, equals(key, "version") { (\.version, .version) }
                else { nil }
            guard let (path, flag) = field else {
                guard isComplete(colon + 1, end) else { return nil }
                continue
            }
            guard seen.insert(flag).inserted, case .scalar(let range)? = value(colon + 1, end) else { return nil }
            found[keyPath: path] = range.map { text($0) }
            scalarIndent = indent
        }
        return found
    }

    // MARK: - Keys and values

    private func equals(_ range: Range<Int>, _ word: StaticString) -> Bool {
        range.count == word.utf8CodeUnitCount && starts(range, word)
    }

    private func starts(_ line: Range<Int>, _ token: StaticString) -> Bool {
        let n = token.utf8CodeUnitCount
        guard line.count >= n else { return false }
        for i in 0..<n where b[line.lowerBound + i] != token.utf8Start[i] { return false }
        return true
    }

    /// A mapping key starting at `start`: its text and the position of its `:`, or nil when the
    /// line is not a simple `key: …` (a sequence entry, a complex or tagged key, no colon…).
    private func key(_ start: Int, _ end: Int) -> (Range<Int>, Int)? {
        let first = b[start]
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            guard let close = closingQuote(start, end) else { return nil }
            var colon = close + 1
            while colon < end, b[colon] == UInt8(ascii: " ") { colon += 1 }
            guard colon < end, b[colon] == UInt8(ascii: ":"), colon + 1 == end || Self.isSpace(b[colon + 1]) else { return nil }
            return (start + 1..<close, colon)
        }
        guard !Self.isIndicator(first) else { return nil }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "?") || first == UInt8(ascii: ":") { return nil }
        var colon = start
        while colon < end {
            let c = b[colon]
            if c == UInt8(ascii: ":"), colon + 1 == end || Self.isSpace(b[colon + 1]) { break }
            if c == UInt8(ascii: "#"), Self.isSpace(b[colon - 1]) { return nil }
            colon += 1
        }
        guard colon < end else { return nil }
        var keyEnd = colon
        while keyEnd > start, Self.isSpace(b[keyEnd - 1]) { keyEnd -= 1 }
        return (start..<keyEnd, colon)
    }

    /// The value between `start` (just after the colon) and the end of the line.
    private func value(_ start: Int, _ end: Int) -> Value? {
        var s = start
        while s < end, Self.isSpace(b[s]) { s += 1 }
        if s == end || b[s] == UInt8(ascii: "#") { return .empty }
        let first = b[s]
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            guard let close = closingQuote(s, end), Self.isBlank(b, close + 1, end, afterToken: true) else { return nil }
            return .scalar(close == s + 1 ? nil : s + 1..<close)
        }
        if Self.isIndicator(first) || first == UInt8(ascii: "?") || first == UInt8(ascii: ":") { return .opaque }
        if first == UInt8(ascii: "-"), s + 1 == end || Self.isSpace(b[s + 1]) { return .opaque }
        var e = s
        while e < end {
            let c = b[e]
            if c == UInt8(ascii: "#"), Self.isSpace(b[e - 1]) { break }
            if c == UInt8(ascii: ":"), e + 1 == end || Self.isSpace(b[e + 1]) { return .opaque }
            e += 1
        }
        while e > s, Self.isSpace(b[e - 1]) { e -= 1 }
        let plain = s..<e
        let isNull = equals(plain, "~") || equals(plain, "null") || equals(plain, "Null") || equals(plain, "NULL")
        return .scalar(isNull ? nil : plain)
    }

    /// Whether a line skipped unread may open a scalar or collection that runs on over the next
    /// lines (and could swallow `spec:`): an odd count of either quote, or a quote or `[`/`{`
    /// where one can start (the line's start, after a space or `:,[{`) that does not close on the
    /// line. A quote inside a plain word (`v'alue`) is a character, and can hide an opening quote
    /// from the count alone; a flow collection may continue on lines indented less than it, even
    /// at the top level (both found by FuzzYAMLMetadata in CI).
    private func mayRunOn(_ start: Int, _ end: Int) -> Bool {
        var single = 0, double = 0
        for i in start..<end {
            if b[i] == UInt8(ascii: "'") { single += 1 } else if b[i] == UInt8(ascii: "\"") { double += 1 }
        }
        if single % 2 == 1 || double % 2 == 1 { return true }
        var i = start
        while i < end {
            let c = b[i]
            let opensHere = i == start || [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "{")].contains(b[i - 1])
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\""), opensHere {
                guard let close = closingQuote(i, end) else { return true }
                i = close + 1
                continue
            }
            // A flow collection that closes has only a comment after it: the line is done.
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "{"), opensHere { return !flowCloses(i, end) }
            i += 1
        }
        return false
    }

    /// Whether a value beside the fields is complete on its line: a quoted or flow value that
    /// opens must close here, and a plain one must not hold `: `.

    private func isComplete(_ start: Int, _ end: Int) -> Bool {
        switch value(start, end) {
        case .scalar?, .empty?: return true
        case nil: return false
        case .opaque?: break
        }
        var s = start
        while s < end, Self.isSpace(b[s]) { s += 1 }
        let first = b[s]
        if first == UInt8(ascii: "|") || first == UInt8(ascii: ">") { return true }  // block scalar: deeper lines
        if first == UInt8(ascii: "&") || first == UInt8(ascii: "!") || first == UInt8(ascii: "*") { return false }
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") { return flowCloses(s, end) }
        return false
    }

    /// Whether the flow collection opening at `start` closes on this line, with only a comment after.
    private func flowCloses(_ start: Int, _ end: Int) -> Bool {
        var depth = 0
        var i = start
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                guard let close = closingQuote(i, end) else { return false }
                i = close + 1
                continue
            }
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 }
            if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return Self.isBlank(b, i + 1, end, afterToken: true) }
            }
            if c == UInt8(ascii: "#"), i > start, Self.isSpace(b[i - 1]) { return false }
            i += 1
        }
        return false
    }

    /// The closing quote of a quoted scalar opening at `start`, on this line, without escapes.
    private func closingQuote(_ start: Int, _ end: Int) -> Int? {
        let quote = b[start]
        var i = start + 1
        while i < end {
            if b[i] == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") { return nil }
            if b[i] == quote {
                if quote == UInt8(ascii: "'"), i + 1 < end, b[i + 1] == quote { return nil }  // '' escape
                return i
            }
            i += 1
        }
        return nil
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
    }

    // MARK: - Bytes

    private static func isSpace(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }

    /// Characters that cannot start a plain scalar or key.
    private static func isIndicator(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ","),
            UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"),
            UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: "#"), UInt8(ascii: "\""),
            UInt8(ascii: "'"):
            true
        default: false
        }
    }

    /// Nothing but spaces and maybe a comment in `[start, end)`; `afterToken`: a comment must be
    /// separated from what came before by a space.
    private static func isBlank(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, afterToken: Bool) -> Bool {
        var i = start
        while i < end, isSpace(b[i]) { i += 1 }
        if i == end { return true }
        return b[i] == UInt8(ascii: "#") && (i > start || !afterToken)
    }

    /// No control characters but tab, LF and CR (a CR only before LF), no C1 controls, no
    /// Unicode line or paragraph separators, no byte-order mark after the start.
    private static func plainCharacters(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x20 {
                if c == UInt8(ascii: "\r") {
                    guard i + 1 < b.count, b[i + 1] == UInt8(ascii: "\n") else { return false }
                } else if c != UInt8(ascii: "\n") && c != UInt8(ascii: "\t") {
                    return false
                }
            } else if c == 0x7F {
                return false
            } else if c == 0xC2, i + 1 < b.count, b[i + 1] >= 0x80, b[i + 1] <= 0x9F {
                return false
            } else if c == 0xE2, i + 2 < b.count, b[i + 1] == 0x80, b[i + 2] == 0xA8 || b[i + 2] == 0xA9 {
                return false
            } else if c == 0xEF, i > 0, i + 2 < b.count, (b[i + 1] == 0xBB && b[i + 2] == 0xBF) || (b[i + 1] == 0xBF && b[i + 2] >= 0xBE) {
                return false
            }
            i += 1
        }
        return true
    }
}
