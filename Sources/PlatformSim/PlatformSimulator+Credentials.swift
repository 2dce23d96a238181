import Core
import Foundation
import HTTPTypes
import Hummingbird

/// API keys and subscriptions: the listings a gateway loads when it connects (WIRE.md "REST"),
/// admin calls that change them, and the live events that announce each change.
extension PlatformSimulator {
    func credentialRoutes(api: RouterGroup<BasicRequestContext>, sim: RouterGroup<BasicRequestContext>) {
        api.get("apis/api-keys") { request, _ in try await self.listKeys(.restApi, request) }
        api.get("llm-providers/api-keys") { request, _ in try await self.listKeys(.llmProvider, request) }
        api.get("llm-proxies/api-keys") { request, _ in try await self.listKeys(.llmProxy, request) }
        api.get("websub-apis/api-keys") { request, _ in try await self.listKeys(.webSubApi, request) }
        api.get("webbroker-apis/api-keys") { request, _ in try await self.listKeys(.webBrokerApi, request) }
        api.get("apis/:apiId/subscriptions") { request, context in
            try self.authorize(request)
            let id = try context.parameters.require("apiId")
            guard let a = await self.platform.artifact(id), a.kind == .restApi else {
                throw SimError(status: .notFound, message: "Not Found", description: "API not found")
            }
            guard a.deployment?.state == .deployed else {
                throw SimError(status: .forbidden, message: "Forbidden", description: "API is not associated with this gateway")
            }
            return try Self.jsonArray(await self.credentials.subscriptions(of: a).map(Self.subscriptionItem))
        }
        sim.post("artifacts/:id/api-keys") { request, context in
            try self.authorize(request)
            guard let key = await self.createAPIKey(on: try context.parameters.require("id")) else { throw Self.noArtifact }
            return try Self.jsonArray([Self.keyItem(key)])
        }
        sim.delete("artifacts/:id/api-keys/:name") { request, context in
            try self.authorize(request)
            guard await self.revokeAPIKey(on: try context.parameters.require("id"), named: try context.parameters.require("name")) != nil
            else { throw Self.noArtifact }
            return Response(status: .noContent)
        }
        sim.post("artifacts/:id/subscriptions") { request, context in
            try self.authorize(request)
            guard let s = await self.createSubscription(on: try context.parameters.require("id")) else { throw Self.noArtifact }
            return try Self.jsonArray([Self.subscriptionItem(s)])
        }
        sim.delete("artifacts/:id/subscriptions/:subscriptionId") { request, context in
            try self.authorize(request)
            let id = try context.parameters.require("id")
            guard await self.deleteSubscription(on: id, subscriptionId: try context.parameters.require("subscriptionId")) != nil
            else { throw Self.noArtifact }
            return Response(status: .noContent)
        }
    }

    static let noArtifact = SimError(status: .notFound, message: "Not Found", description: "no such artifact, key or subscription")

    /// Issues a key and announces `apikey.created`.
    @discardableResult
    public func createAPIKey(on id: String) async -> SimAPIKey? {
        guard let a = await platform.artifact(id), a.kind.apiKeysPath != nil else { return nil }
        let key = await credentials.createKey(for: a)
        var payload: [String: Any] = [
            "uuid": key.uuid, "apiId": a.id, "name": key.name, "apiKeyHashes": #"{"sha256":"\#(key.sha256)"}"#,
            "maskedApiKey": key.maskedApiKey, "createdAt": GoTime.json(key.createdAt), "updatedAt": GoTime.json(key.createdAt),
        ]
        payload["issuer"] = "sim-portal"
        await live.announce(type: "apikey.created", payload: payload)
        return key
    }

    /// Revokes a key and announces `apikey.revoked` (by name).
    @discardableResult
    public func revokeAPIKey(on id: String, named name: String) async -> SimAPIKey? {
        guard let a = await platform.artifact(id), let key = await credentials.revokeKey(of: a, named: name) else { return nil }
        await live.announce(type: "apikey.revoked", payload: ["apiId": a.id, "keyName": name])
        return key
    }

    /// Subscribes an application and announces `subscription.created` (token included, as the
    /// platform sends it).
    @discardableResult
    public func createSubscription(on id: String) async -> SimSubscription? {
        guard let a = await platform.artifact(id), a.kind == .restApi else { return nil }
        let s = await credentials.createSubscription(for: a)
        await live.announce(type: "subscription.created", payload: Self.subscriptionEvent(s, withStatus: true))
        return s
    }

    @discardableResult
    public func deleteSubscription(on id: String, subscriptionId: String) async -> SimSubscription? {
        guard let a = await platform.artifact(id), let s = await credentials.deleteSubscription(of: a, id: subscriptionId) else { return nil }
        await live.announce(type: "subscription.deleted", payload: Self.subscriptionEvent(s, withStatus: false))
        return s
    }

    private func listKeys(_ kind: ArtifactKind, _ request: Request) async throws -> Response {
        try authorize(request)
        var items: [[String: Any]] = []
        for a in await platform.all() where a.kind == kind && a.deployment != nil {
            items += await credentials.keys(of: a).map(Self.keyItem)
        }
        return try Self.jsonArray(items)
    }

    /// `InternalAPIKeyItem`.
    static func keyItem(_ k: SimAPIKey) -> [String: Any] {
        let etag = DeploymentEtag.make(deploymentId: k.uuid, deployedAt: k.createdAt)
        return [
            "etag": etag, "uuid": k.uuid, "name": k.name, "maskedApiKey": k.maskedApiKey, "apiKeyHashes": ["sha256": k.sha256],
            "artifactUuid": k.artifactId, "status": "active", "createdAt": GoTime.json(k.createdAt), "createdBy": "admin",
            "updatedAt": GoTime.json(k.createdAt), "expiresAt": NSNull(), "source": "external", "externalRefId": NSNull(),
        ]
    }

    /// `GatewaySubscriptionInfo`.
    static func subscriptionItem(_ s: SimSubscription) -> [String: Any] {
        var item: [String: Any] = [
            "id": s.id, "apiId": s.apiId, "subscriptionToken": s.subscriptionToken, "status": s.status,
            "createdAt": GoTime.json(s.createdAt), "updatedAt": GoTime.json(s.createdAt),
            "etag": DeploymentEtag.make(deploymentId: s.id, deployedAt: s.createdAt),
        ]
        item["applicationId"] = s.applicationId
        item["subscriptionPlanId"] = s.planId
        return item
    }

    static func subscriptionEvent(_ s: SimSubscription, withStatus: Bool) -> [String: Any] {
        var payload: [String: Any] = ["apiId": s.apiId, "subscriptionId": s.id, "subscriptionToken": s.subscriptionToken]
        payload["applicationId"] = s.applicationId
        if withStatus {
            payload["subscriptionPlanId"] = s.planId
            payload["status"] = s.status
        }
        return payload
    }

    static func jsonArray(_ items: [[String: Any]]) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: items, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: .ok, headers: jsonHeaders, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
