import Testing
@testable import Core

struct YAMLMetadataTests {
    @Test func readsHandleDisplayNameAndVersion() {
        let yaml = """
            apiVersion: gateway.api-platform.wso2.com/v1alpha1
            kind: RestApi
            metadata:
              name: orders-api
              labels:
                name: not-this-one
            spec:
              displayName: "Orders API"   # shown in the portal
              version: 'v1.2'
              upstream:
                version: nested-ignored
            """
        let meta = YAMLMetadata(yaml: yaml)
        #expect(meta.handle == "orders-api")
        #expect(meta.displayName == "Orders API")
        #expect(meta.version == "v1.2")
        #expect(meta.kind == "RestApi")
    }

    @Test func missingNameGivesNoHandle() {
        #expect(YAMLMetadata(yaml: "kind: Mcp\nspec:\n  version: v1\n").handle == nil)
        #expect(YAMLMetadata(yaml: "").handle == nil)
    }
}

extension YAMLMetadataTests {
    @Test func windowsLineEndingsAndTabsAreRead() {
        let meta = YAMLMetadata(yaml: "kind: RestApi\r\nmetadata:\r\n  name:\torders-api\t\r\nspec:\r\n  version: \"v2\" # pinned\r\n")
        #expect(meta.handle == "orders-api")
        #expect(meta.version == "v2")
        #expect(meta.kind == "RestApi")
    }

    @Test func firstOccurrenceWinsAndCommentsAndOtherSectionsAreSkipped() {
        let yaml = """
            # metadata:
            #   name: commented-out
            status:
              name: not-metadata
            metadata:
              name: first
              name: second
            spec:
              displayName: ''
              displayName: "x" # the first non-empty one
              title: a#b
              version: é-1
            """
        let meta = YAMLMetadata(yaml: yaml)
        #expect(meta.handle == "first")
        #expect(meta.displayName == "x")
        #expect(meta.version == "é-1")
    }
}
