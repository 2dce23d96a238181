import Foundation
import Testing

@testable import Core

/// gwops's own TOML reader (config and theme files).
struct TOMLReaderTests {
    @Test func aDocumentWithEveryKindOfValueReads() throws {
        let text = #"""
            # a comment
            title = "basic \"quoted\" \t tab \u00e9 \U0001F600"   # trailing comment
            literal = 'C:\path\no escapes'
            multi = """
            one
              two \
                three"""
            raw = '''
            first line
            'quoted' ''inside'''''
            "quoted key" = 1
            dotted.key.here = true
            bare-key_2 = false

            [numbers]
            int = +1_000
            negative = -17
            zero = 0
            hex = 0xDEAD_beef
            oct = 0o755
            bin = 0b1010
            float = 3.25
            exp = -2.5E-2
            big = 1e3
            infinity = -inf

            [arrays]
            empty = []
            nested = [ [1, 2], ["a", 'b'] ]
            multi_line = [
              1,   # one
              2,
            ]
            tables = [ { x = 1 }, { y.z = "w" } ]

            [a.b]
            c = { d = 1, e.f = [true] }

            [[servers]]
            name = "alpha"
            [[servers]]
            name = "beta"
            [servers.meta]
            rack = 7
            """#
        let doc = try TOMLTable(parsing: text)
        #expect(doc["title"]?.string == "basic \"quoted\" \t tab é 😀")
        #expect(doc["literal"]?.string == #"C:\path\no escapes"#)
        #expect(doc["multi"]?.string == "one\n  two three")
        #expect(doc["raw"]?.string == "first line\n'quoted' ''inside''")
        #expect(doc["quoted key"]?.int == 1)
        #expect(doc["dotted"]?.table?["key"]?.table?["here"]?.bool == true)
        #expect(doc["bare-key_2"]?.bool == false)
        #expect(doc.keys == ["title", "literal", "multi", "raw", "quoted key", "dotted", "bare-key_2", "numbers", "arrays", "a", "servers"])

        let numbers = try #require(doc["numbers"]?.table)
        #expect(numbers["int"] == .integer(1000))
        #expect(numbers["negative"] == .integer(-17))
        #expect(numbers["zero"] == .integer(0))
        #expect(numbers["hex"] == .integer(0xDEAD_BEEF))
        #expect(numbers["oct"] == .integer(0o755))
        #expect(numbers["bin"] == .integer(10))
        #expect(numbers["float"] == .float(3.25))
        #expect(numbers["exp"] == .float(-0.025))
        #expect(numbers["big"] == .float(1000))
        #expect(numbers["infinity"] == .float(-.infinity))

        let arrays = try #require(doc["arrays"]?.table)
        #expect(arrays["empty"] == .array([]))
        #expect(arrays["nested"] == .array([.array([.integer(1), .integer(2)]), .array([.string("a"), .string("b")])]))
        #expect(arrays["multi_line"] == .array([.integer(1), .integer(2)]))
        #expect(arrays["tables"]?.array?[1].table?["y"]?.table?["z"]?.string == "w")

        let c = try #require(doc["a"]?.table?["b"]?.table?["c"]?.table)
        #expect(c["d"] == .integer(1))
        #expect(c["e"]?.table?["f"] == .array([.bool(true)]))

        let servers = try #require(doc["servers"]?.array)
        #expect(servers.map { $0.table?["name"]?.string } == ["alpha", "beta"])
        #expect(servers[1].table?["meta"]?.table?["rack"]?.int == 7)
    }

    @Test func windowsLineEndingsAndAByteOrderMarkRead() throws {
        let doc = try TOMLTable(parsing: "\u{FEFF}[gateway]\r\nid = \"gw\"\r\ns = \"\"\"\r\na\r\nb\"\"\"\r\n")
        #expect(doc["gateway"]?.table?["id"]?.string == "gw")
        #expect(doc["gateway"]?.table?["s"]?.string == "a\nb")
    }

    /// Each mistake is an error naming its line and what is wrong.
    @Test(arguments: [
        ("id = 1\n[ # x]\n", 2, "expected a key"),
        ("[[ =x]]", 1, "expected a key"),
        ("b = [}}", 1, "expected a value, found '}'"),
        ("a = 1\na = 2\n", 2, "a is defined twice"),
        ("[a]\nx = 1\n\n[a]\n", 4, "table [a] is defined twice"),
        ("a.b = 1\n[a]\n", 2, "table [a] is defined twice"),
        ("a = 1\n[a.b]\n", 2, "a already has a value"),
        ("[[a]]\n[a]\n", 2, "is an array of tables"),
        ("[a.b.c]\n[a]\nb.d = 1\n", 3, "b is a table defined elsewhere"),
        ("a = \"x\n", 1, "missing its closing \""),
        ("a = 'x\n", 1, "missing its closing '"),
        ("\n\na = \"\"\"x\n\n", 3, "multi-line string is missing its closing \"\"\""),
        ("a = hello\n", 1, "hello is not a value (a string needs quotes)"),
        ("a = 1979-05-27\n", 1, "dates and times are not read here"),
        ("a = 07:32:00\n", 1, "dates and times are not read here"),
        ("a = 0123\n", 1, "0123 is not a value"),
        ("a = 1__0\n", 1, "1__0 is not a value"),
        ("a = 99999999999999999999\n", 1, "does not fit in a 64-bit integer"),
        ("a = { b = 1, }\n", 1, "cannot end with a comma"),
        ("a = {\n b = 1 }\n", 1, "expected a key"),
        ("a = 1 b = 2\n", 1, "expected the end of the line, found 'b'"),
        ("a = \"\\q\"\n", 1, "unknown escape"),
        ("a = \"\\uD800\"\n", 1, "4 hex digits of a Unicode scalar"),
        ("a = \"\\u+041\"\n", 1, "4 hex digits"),
        ("a = \"x\u{1}\"\n", 1, "control character"),
        ("a = 1\r\n\rb = 2\n", 2, "carriage return"),
        ("a = \"\"\"x\"\"\"\"\"\"\n", 1, "more than two quotes"),
        ("\"\"\"k\"\"\" = 1\n", 1, "cannot be a multi-line string"),
        ("a =\n", 1, "expected a value, found the end of the line"),
        ("[a\n", 1, "expected ] to close the table header"),
        ("[[a]\n", 1, "expected ]] to close"),
    ])
    func aMistakeNamesItsLine(text: String, line: Int, reason: String) {
        let error = #expect(throws: TOMLError.self) { try TOMLTable(parsing: text) }
        #expect(error?.line == line, "\(error?.description ?? "")")
        #expect(error?.reason.contains(reason) == true, "\(error?.description ?? "")")
    }

    @Test(arguments: [String(repeating: "[", count: 100_000), String(repeating: "{a=", count: 100_000)])
    func deepNestingIsAnErrorNotACrash(open: String) {
        let error = #expect(throws: TOMLError.self) { try TOMLTable(parsing: "a = " + open) }
        #expect(error?.reason.contains("nested more than") == true, "\(error?.description ?? "")")
    }

    @Test func aLongDottedKeyIsAnErrorNotACrash() {
        let key = Array(repeating: "k", count: 100_000).joined(separator: ".")
        #expect(throws: TOMLError.self) { try TOMLTable(parsing: "[\(key)]") }
        #expect(throws: TOMLError.self) { try TOMLTable(parsing: "\(key) = 1") }
    }

    /// toml++ (the C++ parser gwops used before) aborted the process on these (found by
    /// FuzzConfig); they must be errors naming the line.
    @Test(arguments: ["[ #x", "[[ #x", "[ ", "[ =x]", "[ ,]", "[ .a]", "[#]", "[[#]]", "[ {]", "\t[ \t# x", "b = [}}"])
    func inputsThatAbortedTheOldParserAreErrors(line: String) {
        let text = "[gateway]\nid = \"gw\"\n" + line + "\n"
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "c.toml") }
        #expect(error?.line == 3)
    }

    @Test(arguments: ["crash-table-header-comment.toml", "crash-quotes-in-a-comment.toml", "crash-array-close-brace.toml"])
    func theFuzzersCrashInputsAreErrors(file: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Fuzz/Corpus/FuzzConfig/" + file)
        // Decoded as the fuzzer does: these inputs need not be valid UTF-8.
        let text = String(decoding: try Data(contentsOf: url.standardizedFileURL), as: UTF8.self)
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "c.toml") }
    }
}
