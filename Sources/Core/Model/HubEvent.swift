/// What happened to an entity, as recorded in the event hub.
public enum EventAction: String, Sendable, Codable, Hashable {
    case create = "CREATE"
    case update = "UPDATE"
    case delete = "DELETE"
}

/// An event to publish; the hub assigns `seq` and `processedAt`.
public struct NewEvent: Sendable, Equatable {
    public var eventId: String
    public var entityType: String
    public var action: EventAction
    public var entityId: String
    /// JSON text describing the entity after the change.
    public var eventData: String
    public var originatedAt: Timestamp

    public init(
        eventId: String, entityType: String, action: EventAction, entityId: String, eventData: String,
        originatedAt: Timestamp
    ) {
        self.eventId = eventId
        self.entityType = entityType
        self.action = action
        self.entityId = entityId
        self.eventData = eventData
        self.originatedAt = originatedAt
    }
}

/// One committed row of the event hub.
public struct HubEvent: Sendable, Codable, Equatable {
    public var gatewayId: String
    public var seq: Int64
    public var eventId: String
    public var entityType: String
    public var action: EventAction
    public var entityId: String
    public var eventData: String
    public var originatedAt: Timestamp
    /// Commit time from the database clock.
    public var processedAt: Timestamp

    public init(
        gatewayId: String, seq: Int64, eventId: String, entityType: String, action: EventAction,
        entityId: String, eventData: String, originatedAt: Timestamp, processedAt: Timestamp
    ) {
        self.gatewayId = gatewayId
        self.seq = seq
        self.eventId = eventId
        self.entityType = entityType
        self.action = action
        self.entityId = entityId
        self.eventData = eventData
        self.originatedAt = originatedAt
        self.processedAt = processedAt
    }
}

/// Head and retention floor of the hub, read together.
public struct HubPosition: Sendable, Codable, Equatable {
    public var headSeq: Int64
    /// Smallest retained `seq`; `headSeq + 1` when no event is retained.
    public var oldestSeq: Int64
    /// `processedAt` of the oldest retained event.
    public var oldestProcessedAt: Timestamp?

    public init(headSeq: Int64, oldestSeq: Int64, oldestProcessedAt: Timestamp? = nil) {
        self.headSeq = headSeq
        self.oldestSeq = oldestSeq
        self.oldestProcessedAt = oldestProcessedAt
    }

    /// True when a cursor at `appliedSeq` can no longer read every event after it.
    public func hasLostEvents(appliedSeq: Int64) -> Bool { appliedSeq < oldestSeq - 1 }
}
