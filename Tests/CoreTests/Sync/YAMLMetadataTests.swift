import Testing
@testable import Core

struct YAMLMetadataTests {
    /// A document as the platform writes it (yaml.v3: 4-space indent, WIRE.md).
    static let platformDocument = """
        apiVersion: gateway.api-platform.wso2.com/v1
        kind: RestApi
        metadata:
            name: petstore-api-7
            labels:
                project-id: 01972fa7-9000-72fd-bc07-2182654f163f
        spec:
            displayName: Petstore API 7
            version: "1.0"
            context: /petstore-api-7
            vhosts:
                main: _gateway_default_
            upstream:
                main:
                    url: https://backend-3.internal.example:8443/petstore-api-7
            operations:
                - method: PUT
                  path: /items
                  policies:
                    - name: set-headers
                      version: v1
                      params:
                        value: '{{ secret "x" }}'

        """

    @Test func readsThePlatformsFourSpaceDocumentOnTheFastPath() {
        let meta = YAMLMetadata(yaml: Self.platformDocument)
        #expect(meta == YAMLMetadata(handle: "petstore-api-7", displayName: "Petstore API 7", version: "1.0", kind: "RestApi"))
        #expect(YAMLMetadata.scanned(Self.platformDocument) == meta)
        #expect(YAMLMetadata.parsed(Self.platformDocument) == meta)
    }

    @Test(arguments: [
        // (why, document, handle, displayName, version)
        ("2-space", "kind: RestApi\nmetadata:\n  name: a\nspec:\n  displayName: A\n  version: v1\n", "a", "A", "v1"),
        ("3-space", "metadata:\n   name: a\nspec:\n   version: v1\n", "a", nil, "v1"),
        ("8-space", "metadata:\n        name: a\n", "a", nil, nil),
        ("key order", "spec:\n    version: v2\n    displayName: B\nmetadata:\n    labels:\n        name: no\n    name: b\nkind: Mcp\n", "b", "B", "v2"),
        ("quoted keys", "\"metadata\":\n    'name': q\n", "q", nil, nil),
        ("quoted values", "metadata:\n    name: \"q1\"\nspec:\n    version: 'v 1' # c\n", "q1", nil, "v 1"),
        ("comments", "# header\nmetadata: # m\n    # name: nope\n    name: c   # trailing\n", "c", nil, nil),
        ("document marker", "---\nmetadata:\n    name: d\n", "d", nil, nil),
        ("CRLF", "metadata:\r\n    name: e\r\nspec:\r\n    version: v3\r\n", "e", nil, "v3"),
        ("byte-order mark", "\u{FEFF}metadata:\n    name: f\n", "f", nil, nil),
        ("flow mapping", "metadata: {name: g, labels: {a: b}}\nspec: {version: v4}\n", "g", nil, "v4"),
        ("flow mapping over lines", "metadata: {\n  name: h\n}\n", "h", nil, nil),
        ("escapes", "metadata:\n    name: \"i\\tj\"\n", "i\tj", nil, nil),
        ("single-quote escape", "metadata:\n    name: 'it''s'\n", "it's", nil, nil),
        ("block scalar", "metadata:\n    name: |\n        k\n", "k\n", nil, nil),
        ("continued plain scalar", "metadata:\n    name: l\n        m\n", "l m", nil, nil),
        ("anchor and merge", "base: &b\n    name: n\nmetadata:\n    <<: *b\n", "n", nil, nil),
        ("null name", "metadata:\n    name: null\nspec:\n    version: ~\n", nil, nil, nil),
        ("empty quoted name", "metadata:\n    name: \"\"\n", nil, nil, nil),
        ("nested name only", "metadata:\n    labels:\n        name: o\n", nil, nil, nil),
        ("indented top level", "  metadata:\n    name: p\n", "p", nil, nil),
        ("number-like version", "spec:\n    version: 1.10\n", nil, nil, "1.10"),
        ("compact sequence under a key", "tags:\n- a\n- b\nmetadata:\n    name: r\n", "r", nil, nil),
        ("a quote inside a word, then one opening a scalar that swallows spec:",
         "metadata:\n    name: s\n    params:\n        v'alue: '{{ x\nspec:\n    version: \"2\"\n    context: /y }}'\n", "s", nil, nil),
    ] as [(String, String, String?, String?, String?)])
    func readsAnyValidBlockDocument(why: String, yaml: String, handle: String?, displayName: String?, version: String?) {
        let meta = YAMLMetadata(yaml: yaml)
        #expect(meta.handle == handle, "\(why)")
        #expect(meta.displayName == displayName, "\(why)")
        #expect(meta.version == version, "\(why)")
        // Where the fast scanner answers, it answers as the parser does.
        if let scanned = YAMLMetadata.scanned(yaml) { #expect(scanned == YAMLMetadata.parsed(yaml), "\(why)") }
    }

    @Test func missingNameGivesNoHandle() {
        #expect(YAMLMetadata(yaml: "kind: Mcp\nspec:\n  version: v1\n").handle == nil)
        #expect(YAMLMetadata(yaml: "").handle == nil)
        #expect(YAMLMetadata(yaml: "- a list\n- not a mapping\n").handle == nil)
        #expect(YAMLMetadata(yaml: "metadata: [unclosed\n").handle == nil)
    }

    @Test func theScannerDeclinesWhatItDoesNotFullyRead() {
        for yaml in [
            "metadata:\n    name: a\nmetadata:\n    name: b\n",  // duplicate section
            "metadata:\n    name: a\n    name: b\n",  // duplicate field
            "---\nmetadata:\n    name: a\n---\nmetadata:\n    name: b\n",  // two documents
            "metadata:\n\tname: a\n",  // tab indentation
            "%YAML 1.2\n---\nmetadata:\n    name: a\n",  // directive
            "metadata:\n    name: !!str a\n",  // tag
            "other: \"open\n metadata: x\"\nmetadata:\n    name: a\n",  // quoted value over lines
            // A quote opened on a line skipped unread runs on and swallows `spec:` (found by FuzzYAMLMetadata)
            "params:\n    !  value: '{{ x\nspec:\n    displayName: D }}'\n",
            "metadata:\n    labels:\n        a: 'open\nspec:\n    version: v1'\n",
            // A flow collection opened on a skipped line runs on at a lesser indent (found by FuzzYAMLMetadata)
            "x:\n  [a,\nkind: b]\n",
            "metadata:\n  l:\n    {a: 1,\n  name: x}\n",
        ] {
            #expect(YAMLMetadata.scanned(yaml) == nil, "\(yaml)")
        }
    }
}
