import Foundation

/// A deploy or undeploy announced on the live path.
public struct LiveDeploymentAction: Sendable, Equatable {
    public var kind: ArtifactKind
    public var artifactId: String
    public var deploymentId: String
    /// The platform's `performedAt`, millisecond precision (as stored).
    public var performedAt: Timestamp
    /// `performedAt` as the platform wrote it: the ack echoes it byte for byte, since the platform
    /// matches acks on it.
    public var performedAtText: String

    public init(kind: ArtifactKind, artifactId: String, deploymentId: String, performedAt: Timestamp, performedAtText: String? = nil) {
        self.kind = kind
        self.artifactId = artifactId
        self.deploymentId = deploymentId
        self.performedAt = performedAt.millisecondPrecision
        self.performedAtText = performedAtText ?? performedAt.rfc3339
    }
}

/// A live-path frame from the platform, decoded (WIRE.md "WebSocket").
public enum LiveEvent: Sendable, Equatable {
    case deployed(LiveDeploymentAction)
    case undeployed(LiveDeploymentAction)
    /// `*.deleted`: sent whether or not this gateway had the artifact.
    case deleted(kind: ArtifactKind, artifactId: String)
    case apiKeyCreated(APIKeyRecord)
    case apiKeyUpdated(APIKeyUpdate)
    case apiKeyRevoked(artifactId: String, keyName: String)
    /// `subscription.created` and `subscription.updated`.
    case subscriptionUpserted(SubscriptionRecord)
    case subscriptionDeleted(artifactId: String, subscriptionId: String)
    /// A platform event this gateway has no use for (subscription plans, applications, WebSub
    /// HMAC secrets): recognised, counted, and left alone on purpose.
    case ignored(type: String)
    /// `{"type":"error","message":…}`: the platform refuses the connection (over its limit…).
    case platformError(message: String)
    /// `connection.ack`: the first frame.
    case connectionAck(gatewayId: String, connectionId: String)

    /// Event types the platform sends that a gwops gateway deliberately ignores.
    public static let ignoredTypes: Set<String> = [
        "subscriptionPlan.created", "subscriptionPlan.updated", "subscriptionPlan.deleted", "application.updated",
        "websub.hmacsecret.created", "websub.hmacsecret.updated", "websub.hmacsecret.deleted",
    ]

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

    /// Decodes a JSON text frame `{type, payload, timestamp, correlationId, userId?}`. Secrets in a
    /// payload (a subscription token) are never read.
    public static func decode(_ text: String) throws -> LiveEvent {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let type = object["type"] as? String
        else { throw DecodeError.notJSON }
        let payload = Payload(type: type, fields: object["payload"] as? [String: Any] ?? [:], envelope: object)
        switch type {
        case "connection.ack":
            return .connectionAck(gatewayId: try payload.text("gatewayId"), connectionId: try payload.text("connectionId"))
        case "error":
            return .platformError(message: payload.optional("message") ?? "no message")
        case _ where ignoredTypes.contains(type):
            return .ignored(type: type)
        case "apikey.created":
            return .apiKeyCreated(try apiKey(payload))
        case "apikey.updated":
            return .apiKeyUpdated(
                APIKeyUpdate(
                    artifactUUID: try payload.text("apiId"), name: try payload.text("keyName"),
                    maskedKey: payload.optional("maskedApiKey") ?? "", hashes: payload.hashes(),
                    expiresAt: payload.time("expiresAt"), updatedAt: payload.time("updatedAt") ?? .now))
        case "apikey.revoked":
            return .apiKeyRevoked(artifactId: try payload.text("apiId"), keyName: try payload.text("keyName"))
        case "subscription.created", "subscription.updated":
            return .subscriptionUpserted(
                SubscriptionRecord(
                    id: try payload.text("subscriptionId"), artifactUUID: try payload.text("apiId"),
                    applicationId: payload.optional("applicationId"), planId: payload.optional("subscriptionPlanId"),
                    status: payload.optional("status") ?? "ACTIVE", createdAt: .now))
        case "subscription.deleted":
            return .subscriptionDeleted(artifactId: try payload.text("apiId"), subscriptionId: try payload.text("subscriptionId"))
        default:
            return try artifactEvent(type, payload)
        }
    }

    private static func artifactEvent(_ type: String, _ payload: Payload) throws -> LiveEvent {
        let parts = type.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = ArtifactKind(resourceType: parts[0]) else { throw DecodeError.unknownType(type) }
        let id = try payload.text(kind.eventIdField)
        switch parts[1] {
        case "deployed", "undeployed":
            let text = try payload.text("performedAt")
            guard let at = Timestamp(rfc3339: text) else { throw DecodeError.missingField(type: type, field: "performedAt") }
            let action = LiveDeploymentAction(
                kind: kind, artifactId: id, deploymentId: try payload.text("deploymentId"), performedAt: at, performedAtText: text)
            return parts[1] == "deployed" ? .deployed(action) : .undeployed(action)
        case "deleted":
            return .deleted(kind: kind, artifactId: id)
        default:
            throw DecodeError.unknownType(type)
        }
    }

    private static func apiKey(_ payload: Payload) throws -> APIKeyRecord {
        let created = payload.time("createdAt") ?? .now
        let id = try payload.text("uuid")
        // Names are unique per artifact; a key sent without one is kept under its id rather than
        // under "", where a second unnamed key would replace it.
        return APIKeyRecord(
            id: id, artifactUUID: try payload.text("apiId"), name: payload.optional("name") ?? id,
            maskedKey: payload.optional("maskedApiKey") ?? "", hashes: payload.hashes(), status: "active",
            expiresAt: payload.time("expiresAt"), createdAt: created, updatedAt: payload.time("updatedAt") ?? created)
    }

    /// A frame's payload, read field by field.
    private struct Payload {
        let type: String
        let fields: [String: Any]
        let envelope: [String: Any]

        func optional(_ name: String) -> String? {
            guard let value = fields[name] as? String ?? envelope[name] as? String, !value.isEmpty else { return nil }
            return value
        }

        func text(_ name: String) throws -> String {
            guard let value = optional(name) else { throw DecodeError.missingField(type: type, field: name) }
            return value
        }

        func time(_ name: String) -> Timestamp? { optional(name).flatMap { Timestamp(rfc3339: $0) } }

        /// `apiKeyHashes`: a JSON string holding `{algorithm: hash}` (an object is read too).
        func hashes() -> [String: String] {
            if let object = fields["apiKeyHashes"] as? [String: String] { return object }
            guard let text = fields["apiKeyHashes"] as? String,
                  let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            else { return [:] }
            return object.compactMapValues { $0 as? String }
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

    /// The platform's error codes (the real gateway's).
    public static let processingError = "GATEWAY_PROCESSING_ERROR"
    public static let deploymentIdMismatch = "DEPLOYMENT_ID_MISMATCH"

    public init(_ action: LiveDeploymentAction, deploy: Bool, failed errorCode: String? = nil) {
        self.deploymentId = action.deploymentId
        self.artifactId = action.artifactId
        self.resourceType = action.kind.resourceType
        self.action = deploy ? "deploy" : "undeploy"
        self.status = errorCode == nil ? "success" : "failed"
        self.performedAt = action.performedAtText
        self.errorCode = errorCode
    }

    /// The frame text: `{"type":"deployment.ack","payload":{…}}`.
    public var frame: String {
        struct Envelope: Encodable {
            var type = "deployment.ack"
            var payload: DeploymentAck
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(Envelope(payload: self))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
