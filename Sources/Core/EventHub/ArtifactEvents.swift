import Foundation

/// Builds the hub events that describe artifact changes. `eventData` is the artifact summary as
/// JSON, which is all a replica needs to update its view.
public enum ArtifactEvents {
    public static func change(_ summary: ArtifactSummary, action: EventAction) -> NewEvent {
        let eventId: String
        if let deploymentId = summary.deploymentId, let deployedAt = summary.deployedAt {
            eventId = DeploymentEtag.make(deploymentId: deploymentId, deployedAt: deployedAt)
        } else {
            eventId = UUID().uuidString.lowercased()
        }
        return event(summary, action: action, eventId: eventId)
    }

    public static func retention(_ summary: ArtifactSummary) -> NewEvent {
        event(summary, action: .update, eventId: "retain:\(summary.uuid):\(summary.deployedAt?.microseconds ?? 0)")
    }

    public static func deletion(_ summary: ArtifactSummary) -> NewEvent {
        event(summary, action: .delete, eventId: "delete:\(summary.uuid):\(UUID().uuidString.lowercased())")
    }

    static func event(_ summary: ArtifactSummary, action: EventAction, eventId: String) -> NewEvent {
        NewEvent(
            eventId: eventId, entityType: summary.kind.rawValue, action: action, entityId: summary.uuid,
            eventData: encode(summary), originatedAt: summary.deployedAt ?? .now)
    }

    static func encode(_ summary: ArtifactSummary) -> String {
        guard let data = try? makeEncoder().encode(summary) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// The summary an event carries, or nil when its data is not one.
    public static func decode(_ event: HubEvent) -> ArtifactSummary? {
        try? JSONDecoder().decode(ArtifactSummary.self, from: Data(event.eventData.utf8))
    }
}
