import Testing
@testable import Core

struct DeploymentEtagTests {
    @Test func designVectorMatches() {
        let at = Timestamp(rfc3339: "2026-03-04T10:30:00Z")!
        #expect(DeploymentEtag.make(deploymentId: "dep-789", deployedAt: at) == "019cb865-b840-7c44-b16a-7c7acdd4c898")
    }

    /// Computed independently (Python hashlib) for a non-ASCII id and a millisecond time.
    @Test func independentVectorMatches() {
        let at = Timestamp(rfc3339: "2031-12-31T23:59:59.999Z")!
        #expect(DeploymentEtag.make(deploymentId: "deployment-ünïcode-42", deployedAt: at) == "01c78a28-0bff-7a26-ab68-75c455922e8e")
    }

    @Test func subMillisecondTimeDoesNotChangeTheEtag() {
        let at = Timestamp(rfc3339: "2026-03-04T10:30:00.123Z")!
        #expect(
            DeploymentEtag.make(deploymentId: "d", deployedAt: at)
                == DeploymentEtag.make(deploymentId: "d", deployedAt: Timestamp(microseconds: at.microseconds + 999)))
    }
}
