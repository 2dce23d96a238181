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
