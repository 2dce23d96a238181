import Testing
@testable import Core

struct ContentAndValidationTests {
    @Test func sha256HexMatchesTheStandardVectors() {
        #expect(ContentHash.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ContentHash.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: ["", " ", "\t", " \u{00A0}\u{2003} ", "\n"])
    func aBlankHandleIsRefused(handle: String) {
        let artifact = Artifact(
            uuid: "a1", handle: handle, displayName: "x", version: "v1", kind: .restApi, desiredState: .deployed,
            deploymentId: "d1", deployedAt: Timestamp(milliseconds: 1), content: "kind: RestApi\n")
        #expect(ArtifactValidation.problem(artifact) == "artifact a1 has no handle")
    }

    @Test func aNamedArtifactWithADateIsAccepted() {
        let artifact = Artifact(
            uuid: "a1", handle: " orders ", displayName: "x", version: "v1", kind: .restApi, desiredState: .deployed,
            deploymentId: "d1", deployedAt: Timestamp(milliseconds: 1), content: "kind: RestApi\n")
        #expect(ArtifactValidation.problem(artifact) == nil)
    }
}
