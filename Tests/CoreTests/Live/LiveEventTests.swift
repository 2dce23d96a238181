import Foundation
import Testing
@testable import Core

/// Frame decoding and acks as the real platform writes them (WIRE.md "WebSocket").
struct LiveEventTests {
    static func action(_ kind: ArtifactKind, _ id: String, _ dep: String, _ at: String) -> LiveDeploymentAction {
        LiveDeploymentAction(kind: kind, artifactId: id, deploymentId: dep, performedAt: Timestamp(rfc3339: at)!, performedAtText: at)
    }

    @Test func decodesDeployUndeployDeleteForEveryKind() throws {
        #expect(try LiveEvent.decode(#"{"type":"api.deployed","payload":{"apiId":"a1","deploymentId":"d1","performedAt":"2026-03-04T10:30:00.123456Z"},"timestamp":"x","correlationId":"c"}"#)
            == .deployed(Self.action(.restApi, "a1", "d1", "2026-03-04T10:30:00.123456Z")))
        #expect(try LiveEvent.decode(#"{"type":"llmprovider.undeployed","payload":{"providerId":"p","deploymentId":"d","performedAt":"2026-03-04T10:30:00Z"}}"#)
            == .undeployed(Self.action(.llmProvider, "p", "d", "2026-03-04T10:30:00Z")))
        #expect(try LiveEvent.decode(#"{"type":"mcpproxy.deleted","payload":{"proxyId":"m"}}"#) == .deleted(kind: .mcp, artifactId: "m"))
        #expect(try LiveEvent.decode(#"{"type":"llmproxy.deleted","payload":{"proxyId":"x"}}"#) == .deleted(kind: .llmProxy, artifactId: "x"))
        #expect(try LiveEvent.decode(#"{"type":"websub.deployed","payload":{"apiId":"w","deploymentId":"d","performedAt":"2026-03-04T10:30:00.5Z"}}"#)
            == .deployed(Self.action(.webSubApi, "w", "d", "2026-03-04T10:30:00.5Z")))
        #expect(try LiveEvent.decode(#"{"type":"webbroker.deleted","payload":{"apiId":"b"}}"#) == .deleted(kind: .webBrokerApi, artifactId: "b"))
    }

    @Test func performedAtIsStoredToTheMillisecondAndEchoedAsSent() throws {
        guard case .deployed(let a) = try LiveEvent.decode(
            #"{"type":"api.deployed","payload":{"apiId":"a","deploymentId":"d","performedAt":"2026-03-04T10:30:00.123456Z"}}"#)
        else {
            Issue.record("not a deploy")
            return
        }
        #expect(a.performedAt == Timestamp(rfc3339: "2026-03-04T10:30:00.123Z"))
        #expect(DeploymentAck(a, deploy: true).performedAt == "2026-03-04T10:30:00.123456Z")
    }

    @Test func apiKeyEventsAreReadAsThePlatformSendsThem() throws {
        let created = #"""
            {"type":"apikey.created","payload":{"uuid":"k-1","apiId":"a","name":"mobile","apiKeyHashes":"{\"sha256\":\"abc\"}",
            "maskedApiKey":"***wxyz","expiresAt":"2027-01-01T00:00:00Z","createdAt":"2026-11-30T10:00:00Z","updatedAt":"2026-11-30T10:00:00Z"},
            "timestamp":"2026-11-30T11:00:00+01:00","correlationId":"c"}
            """#
        #expect(try LiveEvent.decode(created) == .apiKeyCreated(APIKeyRecord(
            id: "k-1", artifactUUID: "a", name: "mobile", maskedKey: "***wxyz", hashes: ["sha256": "abc"],
            expiresAt: Timestamp(rfc3339: "2027-01-01T00:00:00Z"), createdAt: Timestamp(rfc3339: "2026-11-30T10:00:00Z")!)))
        let unnamed = #"{"type":"apikey.created","payload":{"uuid":"k-2","apiId":"a","apiKeyHashes":"{}"}}"#
        guard case .apiKeyCreated(let key) = try LiveEvent.decode(unnamed) else { Issue.record("not a key"); return }
        #expect(key.name == "k-2")
        let updated = #"""
            {"type":"apikey.updated","payload":{"apiId":"a","keyName":"mobile","apiKeyHashes":"{\"sha256\":\"def\"}",
            "maskedApiKey":"***abcd","updatedAt":"2026-11-30T12:00:00Z"}}
            """#
        #expect(try LiveEvent.decode(updated) == .apiKeyUpdated(APIKeyUpdate(
            artifactUUID: "a", name: "mobile", maskedKey: "***abcd", hashes: ["sha256": "def"], expiresAt: nil,
            updatedAt: Timestamp(rfc3339: "2026-11-30T12:00:00Z")!)))
        #expect(try LiveEvent.decode(#"{"type":"apikey.revoked","payload":{"apiId":"a","keyName":"mobile"}}"#)
            == .apiKeyRevoked(artifactId: "a", keyName: "mobile"))
    }

    @Test func subscriptionEventsAreReadWithoutTheirToken() throws {
        let created = #"{"type":"subscription.created","payload":{"apiId":"a","subscriptionId":"s","applicationId":"app","subscriptionToken":"tok-secret","subscriptionPlanId":"gold","status":"ACTIVE"}}"#
        guard case .subscriptionUpserted(let s) = try LiveEvent.decode(created) else { Issue.record("not a subscription"); return }
        #expect(s.id == "s" && s.artifactUUID == "a" && s.applicationId == "app" && s.planId == "gold" && s.status == "ACTIVE")
        #expect(!"\(s)".contains("tok-secret"))
        let updated = #"{"type":"subscription.updated","payload":{"apiId":"a","subscriptionId":"s","subscriptionToken":"t","status":"INACTIVE"}}"#
        guard case .subscriptionUpserted(let u) = try LiveEvent.decode(updated) else { Issue.record("not a subscription"); return }
        #expect(u.status == "INACTIVE" && u.applicationId == nil)
        #expect(try LiveEvent.decode(#"{"type":"subscription.deleted","payload":{"apiId":"a","subscriptionId":"s","subscriptionToken":"t"}}"#)
            == .subscriptionDeleted(artifactId: "a", subscriptionId: "s"))
    }

    @Test(arguments: LiveEvent.ignoredTypes.sorted())
    func eventsWithNoUseHereAreRecognisedAndIgnored(type: String) throws {
        #expect(try LiveEvent.decode(#"{"type":"\#(type)","payload":{"id":"x"}}"#) == .ignored(type: type))
    }

    @Test func platformErrorFramesAreReadInWords() throws {
        #expect(try LiveEvent.decode(#"{"type":"error","message":"maximum connections reached for gateway"}"#)
            == .platformError(message: "maximum connections reached for gateway"))
    }

    @Test func malformedAndUnknownFramesAreErrorsThatNameTheProblem() {
        #expect(throws: LiveEvent.DecodeError.notJSON) { try LiveEvent.decode("not json") }
        #expect(throws: LiveEvent.DecodeError.unknownType("gateway.rebooted")) { try LiveEvent.decode(#"{"type":"gateway.rebooted","payload":{}}"#) }
        #expect(throws: LiveEvent.DecodeError.missingField(type: "api.deployed", field: "deploymentId")) {
            try LiveEvent.decode(#"{"type":"api.deployed","payload":{"apiId":"a","performedAt":"2026-03-04T10:30:00Z"}}"#)
        }
        #expect(throws: LiveEvent.DecodeError.missingField(type: "apikey.revoked", field: "keyName")) {
            try LiveEvent.decode(#"{"type":"apikey.revoked","payload":{"apiId":"a"}}"#)
        }
    }

    @Test func ackFrameIsTheContractsShape() throws {
        let ack = DeploymentAck(Self.action(.restApi, "a", "d", "2026-03-04T10:30:00.000Z"), deploy: false, failed: DeploymentAck.deploymentIdMismatch)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(ack.frame.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "deployment.ack")
        let payload = try #require(object["payload"] as? [String: String])
        #expect(payload == [
            "deploymentId": "d", "artifactId": "a", "resourceType": "api", "action": "undeploy", "status": "failed",
            "performedAt": "2026-03-04T10:30:00.000Z", "errorCode": "DEPLOYMENT_ID_MISMATCH",
        ])
        let success = DeploymentAck(Self.action(.webBrokerApi, "b", "e", "2026-03-04T10:30:00Z"), deploy: true)
        #expect(success.resourceType == "webbroker" && success.status == "success" && success.errorCode == nil)
        #expect(!success.frame.contains("errorCode"))
    }
}
