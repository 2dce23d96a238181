import Core
import Crypto
import Foundation

/// An API key as the platform holds it (`InternalAPIKeyItem`).
public struct SimAPIKey: Sendable, Equatable {
    public var uuid: String
    public var artifactId: String
    public var name: String
    public var maskedApiKey: String
    /// SHA-256 of the key, hex.
    public var sha256: String
    public var createdAt: Timestamp
}

/// A subscription as the platform holds it (`GatewaySubscriptionInfo`); the token is a secret.
public struct SimSubscription: Sendable, Equatable {
    public var id: String
    public var apiId: String
    public var applicationId: String?
    public var subscriptionToken: String
    public var planId: String?
    public var status: String
    public var createdAt: Timestamp
}

/// The API keys and subscriptions of the simulated platform. Every artifact starts with a few,
/// derived from its id (so a seed still yields one platform); admin calls add and remove them.
public actor SimCredentials {
    private var keys: [String: [SimAPIKey]] = [:]
    private var subscriptions: [String: [SimSubscription]] = [:]
    private var rng = SeededRandom(seed: 0xC4ED)

    public init() {}

    /// The keys of `a` (kinds without keys have none).
    public func keys(of a: SimArtifact) -> [SimAPIKey] {
        if let known = keys[a.id] { return known }
        guard a.kind.apiKeysPath != nil else { return [] }
        var seed = SeededRandom(seed: UInt64(ContentGenerator.stableNumber(a.id)))
        let initial = (0..<Int(seed.next() % 3)).map { n in Self.key(for: a.id, name: "key-\(n + 1)", &seed) }
        keys[a.id] = initial
        return initial
    }

    /// The subscriptions of a REST API.
    public func subscriptions(of a: SimArtifact) -> [SimSubscription] {
        if let known = subscriptions[a.id] { return known }
        guard a.kind == .restApi else { return [] }
        var seed = SeededRandom(seed: UInt64(ContentGenerator.stableNumber(a.id)) &+ 1)
        let initial = (0..<Int(seed.next() % 3)).map { _ in Self.subscription(for: a.id, &seed) }
        subscriptions[a.id] = initial
        return initial
    }

    /// Issues a new key for `a`.
    public func createKey(for a: SimArtifact) -> SimAPIKey {
        var list = keys(of: a)
        let key = Self.key(for: a.id, name: "key-\(list.count + 1)-\(rng.next() % 10_000)", &rng)
        list.append(key)
        keys[a.id] = list
        return key
    }

    /// Revokes the key named `name`; nil when there is none.
    public func revokeKey(of a: SimArtifact, named name: String) -> SimAPIKey? {
        var list = keys(of: a)
        guard let index = list.firstIndex(where: { $0.name == name }) else { return nil }
        let key = list.remove(at: index)
        keys[a.id] = list
        return key
    }

    public func createSubscription(for a: SimArtifact) -> SimSubscription {
        var list = subscriptions(of: a)
        let s = Self.subscription(for: a.id, &rng)
        list.append(s)
        subscriptions[a.id] = list
        return s
    }

    public func deleteSubscription(of a: SimArtifact, id: String) -> SimSubscription? {
        var list = subscriptions(of: a)
        guard let index = list.firstIndex(where: { $0.id == id }) else { return nil }
        let s = list.remove(at: index)
        subscriptions[a.id] = list
        return s
    }

    private static func key(for artifactId: String, name: String, _ rng: inout SeededRandom) -> SimAPIKey {
        let secret = "apk_" + String(rng.next(), radix: 36) + String(rng.next(), radix: 36)
        let hash = SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
        return SimAPIKey(
            uuid: rng.uuid(), artifactId: artifactId, name: name, maskedApiKey: "***" + secret.suffix(4), sha256: hash,
            createdAt: Timestamp.now.millisecondPrecision)
    }

    private static func subscription(for apiId: String, _ rng: inout SeededRandom) -> SimSubscription {
        SimSubscription(
            id: rng.uuid(), apiId: apiId, applicationId: rng.uuid(), subscriptionToken: "subtok-" + String(rng.next(), radix: 16),
            planId: rng.next() % 2 == 0 ? rng.uuid() : nil, status: "ACTIVE", createdAt: Timestamp.now.millisecondPrecision)
    }
}
