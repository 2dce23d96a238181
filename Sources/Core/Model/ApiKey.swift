/// An API key issued for an artifact, as a gateway keeps it: the platform's id, the key's name
/// (unique per artifact; the live path names keys, it does not number them), its hashes, its
/// masked form and its status. Never the key itself.
///
/// `hashes` (algorithm → hash) is what a gateway checks a presented key against: stored, never
/// logged or shown.
public struct APIKeyRecord: Sendable, Codable, Equatable {
    public var id: String
    public var artifactUUID: String
    public var name: String
    /// `***` and the last characters of the key: safe to show.
    public var maskedKey: String
    public var hashes: [String: String]
    /// `active`, `revoked`, `expired` as the platform says.
    public var status: String
    public var expiresAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: String, artifactUUID: String, name: String, maskedKey: String = "", hashes: [String: String] = [:],
        status: String = "active", expiresAt: Timestamp? = nil, createdAt: Timestamp, updatedAt: Timestamp? = nil
    ) {
        self.id = id
        self.artifactUUID = artifactUUID
        self.name = name
        self.maskedKey = maskedKey
        self.hashes = hashes
        self.status = status
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// `apikey.updated`: a named key's new hashes, mask and expiry (the key is regenerated).
public struct APIKeyUpdate: Sendable, Equatable {
    public var artifactUUID: String
    public var name: String
    public var maskedKey: String
    public var hashes: [String: String]
    public var expiresAt: Timestamp?
    public var updatedAt: Timestamp

    public init(artifactUUID: String, name: String, maskedKey: String, hashes: [String: String], expiresAt: Timestamp?, updatedAt: Timestamp) {
        self.artifactUUID = artifactUUID
        self.name = name
        self.maskedKey = maskedKey
        self.hashes = hashes
        self.expiresAt = expiresAt
        self.updatedAt = updatedAt
    }
}

/// An application's subscription to an artifact. The subscription token is a secret the
/// platform sends; it is never stored, logged or shown.
public struct SubscriptionRecord: Sendable, Codable, Equatable {
    public var id: String
    public var artifactUUID: String
    public var applicationId: String?
    public var planId: String?
    /// `ACTIVE`, `INACTIVE`, `REVOKED` as the platform says.
    public var status: String
    public var createdAt: Timestamp

    public init(
        id: String, artifactUUID: String, applicationId: String?, planId: String? = nil, status: String = "ACTIVE",
        createdAt: Timestamp
    ) {
        self.id = id
        self.artifactUUID = artifactUUID
        self.applicationId = applicationId
        self.planId = planId
        self.status = status
        self.createdAt = createdAt
    }
}

/// Counts of what deleting an artifact would destroy.
public struct Dependents: Sendable, Equatable, Codable {
    public var apiKeys: Int
    public var subscriptions: Int

    public init(apiKeys: Int = 0, subscriptions: Int = 0) {
        self.apiKeys = apiKeys
        self.subscriptions = subscriptions
    }
}
