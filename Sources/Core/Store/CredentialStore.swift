import Foundation

/// The API keys and subscriptions of local artifacts: what an orphan deletion would destroy, so
/// the console can say how many are at stake. Written by the live path and by the load a gateway
/// does when it connects; no event is published for them.
public protocol CredentialStore: Sendable {
    /// Inserts or updates the key with this id; a key of the same artifact and name under another
    /// id (re-created on the platform) is replaced. `createdAt` of an existing key is kept.
    func addAPIKey(_ key: APIKeyRecord) async throws
    /// Applies `apikey.updated` to the key named so; false when there is none.
    func updateAPIKey(_ update: APIKeyUpdate) async throws -> Bool
    /// `apikey.revoked`: removes the key named so, if any.
    func removeAPIKey(artifactUUID: String, name: String) async throws
    /// Inserts or updates the subscription with this id (`createdAt` of an existing one is kept).
    func addSubscription(_ subscription: SubscriptionRecord) async throws
    func removeSubscription(id: String) async throws
    /// After a full listing: the keys of `artifactUUIDs` become exactly those in `keys` with that
    /// artifact; keys of other artifacts in `keys` are added too. One transaction.
    func replaceAPIKeys(_ keys: [APIKeyRecord], ofArtifacts artifactUUIDs: [String]) async throws
    /// After a listing of one API's subscriptions: they become exactly `subscriptions`.
    func replaceSubscriptions(_ subscriptions: [SubscriptionRecord], ofArtifact uuid: String) async throws
    /// How many keys and subscriptions are held, in all.
    func credentialTotals() async throws -> Dependents
    func apiKeys(of uuid: String) async throws -> [APIKeyRecord]
    func subscriptions(of uuid: String) async throws -> [SubscriptionRecord]
}

extension APIKeyRecord {
    /// `hashes` as stored: a JSON object with sorted keys.
    var hashesJSON: String { Self.json(hashes: hashes) }

    static func json(hashes: [String: String]) -> String {
        let pairs = hashes.sorted { $0.key < $1.key }.map { "\(ArtifactEvents.quoted($0.key)):\(ArtifactEvents.quoted($0.value))" }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    static func hashes(fromJSON text: String) -> [String: String] {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object.compactMapValues { $0 as? String }
    }
}
