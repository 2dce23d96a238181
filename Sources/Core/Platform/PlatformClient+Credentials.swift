import Foundation

/// The platform calls a gateway makes when it connects to load the API keys and subscriptions
/// it must honour (WIRE.md "REST").
public protocol PlatformCredentialsAPI: Sendable {
    /// Every API key of this gateway's artifacts of `kind` (`GET /apis/api-keys` and its siblings).
    func apiKeys(of kind: ArtifactKind) async throws -> [APIKeyRecord]
    /// The subscriptions of one REST API (`GET /apis/{apiId}/subscriptions`).
    func subscriptions(apiId: String) async throws -> [SubscriptionRecord]
}

extension ArtifactKind {
    /// The platform's API-key listing for this kind; nil for kinds without keys (MCP proxies).
    public var apiKeysPath: String? {
        switch self {
        case .restApi: "/apis/api-keys"
        case .llmProvider: "/llm-providers/api-keys"
        case .llmProxy: "/llm-proxies/api-keys"
        case .webSubApi: "/websub-apis/api-keys"
        case .webBrokerApi: "/webbroker-apis/api-keys"
        case .mcp: nil
        }
    }
}

extension PlatformDTO {
    /// `InternalAPIKeyItem` (platform-api `model/apikey.go`).
    struct APIKeyItem: Decodable {
        var uuid: String
        var name: String
        var maskedApiKey: String?
        var apiKeyHashes: [String: String]?
        var artifactUuid: String
        var status: String?
        var createdAt: String?
        var updatedAt: String?
        var expiresAt: String?
    }

    /// `GatewaySubscriptionInfo` (platform-api `dto/gateway_internal.go`). The subscription
    /// token it also carries is a secret and is deliberately not decoded.
    struct SubscriptionItem: Decodable {
        var id: String
        var apiId: String
        var applicationId: String?
        var subscriptionPlanId: String?
        var status: String?
        var createdAt: String?
    }
}

extension PlatformClient: PlatformCredentialsAPI {
    public func apiKeys(of kind: ArtifactKind) async throws -> [APIKeyRecord] {
        guard let path = kind.apiKeysPath else { return [] }
        let endpoint = "GET \(path)"
        let body = try await send(endpoint: endpoint, method: .GET, path: path, body: nil, accept: "application/json", cap: limits.jsonBytes)
        return try Self.decodeAPIKeys(body, endpoint: endpoint)
    }

    public func subscriptions(apiId: String) async throws -> [SubscriptionRecord] {
        let escaped = apiId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? apiId
        let endpoint = "GET /apis/\(apiId)/subscriptions"
        let body = try await send(
            endpoint: endpoint, method: .GET, path: "/apis/\(escaped)/subscriptions", body: nil, accept: "application/json",
            cap: limits.jsonBytes)
        return try Self.decodeSubscriptions(body, endpoint: endpoint)
    }

    /// An API-key listing as records, whatever their status (the platform lists revoked keys too).
    public static func decodeAPIKeys(_ body: [UInt8], endpoint: String = "GET /apis/api-keys") throws -> [APIKeyRecord] {
        // (Go writes a nil slice as `null`: read it as no keys.)
        let items: [PlatformDTO.APIKeyItem]? = try decode(body, endpoint: endpoint)
        return (items ?? []).map { item in
            let created = item.createdAt.flatMap { Timestamp(rfc3339: $0) } ?? .now
            return APIKeyRecord(
                id: item.uuid, artifactUUID: item.artifactUuid, name: item.name, maskedKey: item.maskedApiKey ?? "",
                hashes: item.apiKeyHashes ?? [:], status: item.status ?? "active",
                expiresAt: item.expiresAt.flatMap { Timestamp(rfc3339: $0) }, createdAt: created,
                updatedAt: item.updatedAt.flatMap { Timestamp(rfc3339: $0) })
        }
    }

    /// A subscription listing as records (without the tokens).
    public static func decodeSubscriptions(_ body: [UInt8], endpoint: String = "GET /apis/{apiId}/subscriptions") throws -> [SubscriptionRecord] {
        let items: [PlatformDTO.SubscriptionItem]? = try decode(body, endpoint: endpoint)
        return (items ?? []).map { item in
            SubscriptionRecord(
                id: item.id, artifactUUID: item.apiId, applicationId: item.applicationId, planId: item.subscriptionPlanId,
                status: item.status ?? "ACTIVE", createdAt: item.createdAt.flatMap { Timestamp(rfc3339: $0) } ?? .now)
        }
    }
}
