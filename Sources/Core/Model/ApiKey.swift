/// An API key issued for an artifact; only its id and name are stored, never the secret.
public struct APIKeyRecord: Sendable, Equatable {
    public var id: String
    public var artifactUUID: String
    public var name: String
    public var createdAt: Timestamp

    public init(id: String, artifactUUID: String, name: String, createdAt: Timestamp) {
        self.id = id
        self.artifactUUID = artifactUUID
        self.name = name
        self.createdAt = createdAt
    }
}

/// An application's subscription to an artifact.
public struct SubscriptionRecord: Sendable, Equatable {
    public var id: String
    public var artifactUUID: String
    public var applicationId: String
    public var createdAt: Timestamp

    public init(id: String, artifactUUID: String, applicationId: String, createdAt: Timestamp) {
        self.id = id
        self.artifactUUID = artifactUUID
        self.applicationId = applicationId
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
