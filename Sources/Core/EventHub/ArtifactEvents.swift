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

    /// The summary as JSON with sorted keys, written by hand: this runs once per applied
    /// change, and JSONEncoder was a tenth of a sync's CPU time. `decode` reads it back.
    static func encode(_ s: ArtifactSummary) -> String {
        var json = "{"
        json.reserveCapacity(256)
        if let at = s.deployedAt { json += "\"deployedAt\":\(at.microseconds)," }
        if let id = s.deploymentId { json += "\"deploymentId\":" + quoted(id) + "," }
        json += "\"desiredState\":" + quoted(s.desiredState.rawValue) + ",\"handle\":" + quoted(s.handle)
        json += ",\"kind\":" + quoted(s.kind.rawValue) + ",\"origin\":" + quoted(s.origin.rawValue) + ",\"uuid\":" + quoted(s.uuid) + "}"
        return json
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        // Most fields need no escaping: copy them whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The summary an event carries, or nil when its data is not one.
    public static func decode(_ event: HubEvent) -> ArtifactSummary? {
        try? JSONDecoder().decode(ArtifactSummary.self, from: Data(event.eventData.utf8))
    }
}

extension NewEvent {
    /// The same event with another action.
    func with(action: EventAction) -> NewEvent {
        var copy = self
        copy.action = action
        return copy
    }
}
