import Foundation
import Testing
@testable import Core

struct ArtifactEventsTests {
    @Test(arguments: [
        "plain-handle", "quote \" backslash \\ slash /", "newline\nreturn\rtab\t", "bell \u{07} nul \u{00} esc \u{1B}",
        "ünïcødé 日本 🚀", "",
    ])
    func eventDataReadsBackAsTheSummary(handle: String) throws {
        let summary = ArtifactSummary(
            uuid: "0b3c2f9e-1", handle: handle, kind: .llmProxy, desiredState: .undeployed, deploymentId: "dep \"1\"",
            deployedAt: Timestamp(microseconds: 1_700_000_000_123_000), origin: .controlPlane)
        let event = ArtifactEvents.change(summary, action: .update)
        let hub = HubEvent(
            gatewayId: "gw", seq: 1, eventId: event.eventId, entityType: event.entityType, action: event.action,
            entityId: event.entityId, eventData: event.eventData, originatedAt: event.originatedAt, processedAt: .now)
        #expect(ArtifactEvents.decode(hub) == summary)
        // Valid JSON for any reader, not only ours.
        #expect(try JSONSerialization.jsonObject(with: Data(event.eventData.utf8)) is [String: Any])
    }

    @Test func absentFieldsAreLeftOut() throws {
        let summary = ArtifactSummary(uuid: "u", handle: "h", kind: .restApi, desiredState: .deployed, deploymentId: nil, deployedAt: nil)
        let data = ArtifactEvents.change(summary, action: .create).eventData
        #expect(data == #"{"desiredState":"deployed","handle":"h","kind":"RestApi","origin":"control_plane","uuid":"u"}"#)
    }
}
