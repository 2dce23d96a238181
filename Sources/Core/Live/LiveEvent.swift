import Foundation

/// A live-path frame from the platform, decoded (DESIGN §2 "Live events").
public enum LiveEvent: Sendable, Equatable {
    case deployed(kind: ArtifactKind, artifactId: String, deploymentId: String, performedAt: Timestamp)
    case undeployed(kind: ArtifactKind, artifactId: String, deploymentId: String, performedAt: Timestamp)
    case deleted(kind: ArtifactKind, artifactId: String)
    case apiKeyCreated(APIKeyRecord)
    case apiKeyRevoked(keyId: String)
    case subscriptionCreated(SubscriptionRecord)
    case subscriptionDeleted(subscriptionId: String)
    /// `connection.ack`: the first frame.
    case connectionAck(gatewayId: String, connectionId: String)

    /// Why a frame was not an event this gateway handles.
    public enum DecodeError: Error, Equatable, CustomStringConvertible {
        case notJSON
        case unknownType(String)
        case missingField(type: String, field: String)

        public var description: String {
            switch self {
            case .notJSON: "frame is not a JSON object"
            case .unknownType(let t): "unknown event type \"\(t)\""
            case .missingField(let t, let f): "\(t) frame without \(f)"
            }
        }
    }

    /// Decodes a JSON text frame `{type, payload, timestamp, correlationId, userId?}`.
    public static func decode(_ text: String) throws -> LiveEvent {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let type = object["type"] as? String
        else { throw DecodeError.notJSON }
        let payload = object["payload"] as? [String: Any] ?? [:]
        func field(_ name: String) throws -> String {
            guard let value = payload[name] as? String ?? object[name] as? String, !value.isEmpty else {
                throw DecodeError.missingField(type: type, field: name)
            }
            return value
        }
        func time(_ name: String) throws -> Timestamp {
            guard let t = Timestamp(rfc3339: try field(name)) else { throw DecodeError.missingField(type: type, field: name) }
            return t.millisecondPrecision
        }
        if type == "connection.ack" { return .connectionAck(gatewayId: try field("gatewayId"), connectionId: try field("connectionId")) }
        let parts = type.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw DecodeError.unknownType(type) }
        let kinds: [String: (ArtifactKind, String)] = [
            "api": (.restApi, "apiId"), "llmprovider": (.llmProvider, "providerId"), "llmproxy": (.llmProxy, "proxyId"),
            "mcpproxy": (.mcp, "proxyId"),
        ]
        if let (kind, idField) = kinds[parts[0]] {
            switch parts[1] {
            case "deployed":
                return .deployed(kind: kind, artifactId: try field(idField), deploymentId: try field("deploymentId"), performedAt: try time("performedAt"))
            case "undeployed":
                return .undeployed(kind: kind, artifactId: try field(idField), deploymentId: try field("deploymentId"), performedAt: try time("performedAt"))
            case "deleted":
                return .deleted(kind: kind, artifactId: try field(idField))
            default:
                throw DecodeError.unknownType(type)
            }
        }
        switch type {
        case "apikey.created":
            return .apiKeyCreated(APIKeyRecord(
                id: try field("keyId"), artifactUUID: try field("artifactId"), name: (payload["name"] as? String) ?? "", createdAt: .now))
        case "apikey.revoked":
            return .apiKeyRevoked(keyId: try field("keyId"))
        case "subscription.created":
            return .subscriptionCreated(SubscriptionRecord(
                id: try field("subscriptionId"), artifactUUID: try field("artifactId"), applicationId: try field("applicationId"), createdAt: .now))
        case "subscription.deleted":
            return .subscriptionDeleted(subscriptionId: try field("subscriptionId"))
        default:
            throw DecodeError.unknownType(type)
        }
    }
}

/// The gateway's answer to a deploy or undeploy (`deployment.ack`).
public struct DeploymentAck: Sendable, Equatable, Encodable {
    public var deploymentId: String
    public var artifactId: String
    public var resourceType: String
    public var action: String
    public var status: String
    public var performedAt: String
    public var errorCode: String?

    /// The frame text: `{"type":"deployment.ack","payload":{…}}`.
    public var frame: String {
        struct Envelope: Encodable {
            var type = "deployment.ack"
            var payload: DeploymentAck
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(Envelope(payload: self))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
