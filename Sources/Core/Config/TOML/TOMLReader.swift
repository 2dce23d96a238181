/// Reads TOML documents for the config and theme files.
///
/// gwops reads its own TOML rather than through a C++ parser: toml++ (under TOMLKit) aborted the
/// whole process on some malformed documents (`[ # x`, `b = [}`), found by fuzzing the config
/// loader. Every problem here is a `TOMLError` naming its line; nesting is capped so no document
/// can exhaust the stack.
struct TOMLReader {
    static let maxDepth = 64

    let bytes: [UInt8]
    var at = 0
    var line = 1
    let root = TableNode(origin: .header)
    var current: TableNode

    init(_ text: String) {
        bytes = Array(text.utf8)
        current = root
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { at = 3 }  // a byte order mark
    }

    mutating func read() throws -> TOMLTable {
        while true {
            skipBlanks()
            guard let byte = peek() else { break }
            switch byte {
            case .newline, .carriageReturn, .hash:
                break
            case .openBracket:
                try header()
            default:
                try keyValue(into: current, depth: 0)
            }
            try endOfLine()
        }
        return root.table()
    }

    // MARK: Lines

    func peek(_ offset: Int = 0) -> UInt8? { at + offset < bytes.count ? bytes[at + offset] : nil }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        at += 1
        return true
    }

    mutating func skipBlanks() {
        while let byte = peek(), byte == .space || byte == .tab { at += 1 }
    }

    /// Past a line break (`\n` or `\r\n`) if one is next.
    mutating func lineBreak() throws -> Bool {
        if consume(.carriageReturn) {
            guard consume(.newline) else { throw fail("a carriage return must be followed by a line feed") }
        } else if !consume(.newline) {
            return false
        }
        line += 1
        return true
    }

    /// After a header or a key/value: blanks, an optional comment, then the line's end.
    mutating func endOfLine() throws {
        skipBlanks()
        if peek() == .hash { skipComment() }
        guard try lineBreak() || peek() == nil else {
            throw fail("expected the end of the line, found \(describeNext())")
        }
    }

    mutating func skipComment() {
        while let byte = peek(), byte != .newline, byte != .carriageReturn { at += 1 }
    }

    /// Blanks, comments and line breaks, as allowed between an array's values.
    mutating func skipBlankLines() throws {
        while true {
            skipBlanks()
            if peek() == .hash { skipComment() }
            guard try lineBreak() else { return }
        }
    }

    func fail(_ reason: String) -> TOMLError { TOMLError(line: line, reason: reason) }

    func describeNext() -> String {
        guard let byte = peek() else { return "the end of the file" }
        switch byte {
        case .newline, .carriageReturn: return "the end of the line"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case .space, .tab: return "a blank"
        default: return byte < 0x80 ? "a control character" : "a non-ASCII character"
        }
    }

    // MARK: Keys and tables

    /// A key, dotted or not: `name`, `"quoted key"`, `a.b.'c'`.
    mutating func key() throws -> [String] {
        var parts: [String] = []
        repeat {
            skipBlanks()
            guard parts.count < Self.maxDepth else { throw fail("a key with more than \(Self.maxDepth) parts") }
            switch peek() {
            case let quote? where quote == .quote || quote == .apostrophe:
                guard peek(1) != quote || peek(2) != quote else { throw fail("a key cannot be a multi-line string") }
                parts.append(try string(quote: quote))
            case let byte? where byte.isBareKey:
                let start = at
                while let byte = peek(), byte.isBareKey { at += 1 }
                parts.append(String(decoding: bytes[start..<at], as: UTF8.self))
            default:
                throw fail("expected a key (letters, digits, _ and -, or quoted), found \(describeNext())")
            }
            skipBlanks()
        } while consume(.dot)
        return parts
    }

    /// `[a.b]` or `[[a.b]]`: the table that following keys go into.
    mutating func header() throws {
        at += 1
        let isArray = consume(.openBracket)
        let path = try key()
        guard consume(.closeBracket), !isArray || consume(.closeBracket) else {
            throw fail("expected \(isArray ? "]]" : "]") to close the table header, found \(describeNext())")
        }
        var node = root
        for (index, part) in path.dropLast().enumerated() {
            node = try node.enter(part, named: path[...index], by: .header, line: line)
        }
        current = try isArray ? node.appendTable(path, line: line) : node.defineTable(path, line: line)
    }

    /// `key = value` into `table`.
    mutating func keyValue(into table: TableNode, depth: Int) throws {
        let path = try key()
        let keyLine = line
        guard consume(.equals) else { throw fail("expected = after \(TableNode.dotted(path[...])), found \(describeNext())") }
        skipBlanks()
        let value = try self.value(depth: depth + path.count)
        var node = table
        for (index, part) in path.dropLast().enumerated() {
            node = try node.enter(part, named: path[...index], by: .dotted, line: keyLine)
        }
        guard node.entries[path[path.count - 1]] == nil else {
            throw TOMLError(line: keyLine, reason: "\(TableNode.dotted(path[...])) is defined twice")
        }
        node.insert(path[path.count - 1], .value(value))
    }

    // MARK: Values

    mutating func value(depth: Int) throws -> TOMLValue {
        guard depth < Self.maxDepth else { throw fail("values nested more than \(Self.maxDepth) deep") }
        switch peek() {
        case let quote? where quote == .quote || quote == .apostrophe: return .string(try string(quote: quote))
        case .openBracket?: return .array(try array(depth: depth))
        case .openBrace?: return .table(try inlineTable(depth: depth))
        case nil, .newline?, .carriageReturn?, .hash?: throw fail("expected a value, found \(describeNext())")
        default: return try bareValue()
        }
    }

    mutating func array(depth: Int) throws -> [TOMLValue] {
        at += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlankLines()
            if consume(.closeBracket) { return items }
            items.append(try value(depth: depth + 1))
            try skipBlankLines()
            if consume(.comma) { continue }
            guard consume(.closeBracket) else { throw fail("expected , or ] in an array, found \(describeNext())") }
            return items
        }
    }

    /// `{ a = 1, b.c = "x" }`, on one line.
    mutating func inlineTable(depth: Int) throws -> TOMLTable {
        at += 1
        let node = TableNode(origin: .inline)
        skipBlanks()
        if consume(.closeBrace) { return node.table() }
        while true {
            try keyValue(into: node, depth: depth + 1)
            skipBlanks()
            if consume(.closeBrace) { return node.table() }
            guard consume(.comma) else { throw fail("expected , or } in an inline table, found \(describeNext())") }
            skipBlanks()
            guard peek() != .closeBrace else { throw fail("an inline table cannot end with a comma") }
        }
    }
}

/// A table while the document is read: where it came from decides what may add to it.
final class TableNode {
    enum Origin {
        /// Made on the way to a deeper header (`[a.b]` makes `a`); a header may still define it.
        case implicit
        case header
        /// Made by a dotted key (`a.b = 1` makes `a`).
        case dotted
        case inline
    }

    enum Entry {
        case value(TOMLValue)
        case table(TableNode)
        /// `[[name]]`, one table per header.
        case tables([TableNode])
    }

    var origin: Origin
    private(set) var order: [String] = []
    private(set) var entries: [String: Entry] = [:]

    init(origin: Origin) { self.origin = origin }

    /// A key path as written in a document, for messages.
    static func dotted(_ path: ArraySlice<String>) -> String {
        path.map { !$0.isEmpty && $0.utf8.allSatisfy(\.isBareKey) ? $0 : "\"\($0)\"" }.joined(separator: ".")
    }

    func insert(_ key: String, _ entry: Entry) {
        if entries.updateValue(entry, forKey: key) == nil { order.append(key) }
    }

    /// The table at `key`, made if missing, on the way to a deeper key.
    func enter(_ key: String, named path: ArraySlice<String>, by origin: Origin, line: Int) throws -> TableNode {
        switch entries[key] {
        case nil:
            let node = TableNode(origin: origin == .header ? .implicit : .dotted)
            insert(key, .table(node))
            return node
        case .table(let node) where origin == .header || node.origin == .dotted:
            return node
        case .tables(let nodes) where origin == .header:
            return nodes[nodes.count - 1]
        case .table, .tables:
            throw TOMLError(line: line, reason: "\(Self.dotted(path)) is a table defined elsewhere; a dotted key cannot add to it")
        case .value:
            throw TOMLError(line: line, reason: "\(Self.dotted(path)) already has a value; it cannot also be a table")
        }
    }

    func defineTable(_ path: [String], line: Int) throws -> TableNode {
        let key = path[path.count - 1]
        switch entries[key] {
        case nil:
            let node = TableNode(origin: .header)
            insert(key, .table(node))
            return node
        case .table(let node) where node.origin == .implicit:
            node.origin = .header
            return node
        case .table:
            throw TOMLError(line: line, reason: "table [\(Self.dotted(path[...]))] is defined twice")
        case .tables:
            throw TOMLError(line: line, reason: "[\(Self.dotted(path[...]))] is an array of tables; use [[\(Self.dotted(path[...]))]]")
        case .value:
            throw TOMLError(line: line, reason: "\(Self.dotted(path[...])) already has a value; it cannot also be a table")
        }
    }

    func appendTable(_ path: [String], line: Int) throws -> TableNode {
        let key = path[path.count - 1]
        let node = TableNode(origin: .header)
        switch entries[key] {
        case nil: insert(key, .tables([node]))
        case .tables(let nodes): insert(key, .tables(nodes + [node]))
        case .table, .value: throw TOMLError(line: line, reason: "[[\(Self.dotted(path[...]))]] would redefine \(Self.dotted(path[...]))")
        }
        return node
    }

    func table() -> TOMLTable {
        var table = TOMLTable()
        for key in order {
            switch entries[key]! {
            case .value(let value): table.set(key, value)
            case .table(let node): table.set(key, .table(node.table()))
            case .tables(let nodes): table.set(key, .array(nodes.map { .table($0.table()) }))
            }
        }
        return table
    }
}
