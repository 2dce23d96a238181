/// The summary `gwops status` prints: one JSON object with these exact keys.
public struct StatusReport: Sendable, Codable, Equatable {
    public struct Store: Sendable, Codable, Equatable {
        public var backend: String
        public var location: String
    }

    public struct Reviews: Sendable, Codable, Equatable {
        public var pending = 0
        public var retained = 0
        public var unverified = 0
    }

    public struct EventHub: Sendable, Codable, Equatable {
        public var headSeq: Int64
        public var oldestSeq: Int64
    }

    public struct Replica: Sendable, Codable, Equatable {
        public var id: String
        public var status: String
        public var appliedSeq: Int64
        public var lagEvents: Int64
        public var lagSeconds: Double
        public var heartbeatAgeSeconds: Double
        public var reason: String?
    }

    public struct LastSync: Sendable, Codable, Equatable {
        public var id: Int64
        public var trigger: String
        public var outcome: String
        public var startedAt: String
        public var finishedAt: String?
        public var fetched: Int
        public var statusUpdated: Int
        public var retained: Int
        public var pendingDeletion: Int
        public var deleted: Int
        public var errors: Int
    }

    public var gateway: String
    public var store: Store
    public var artifacts: ArtifactCounts
    /// API keys and subscriptions held for the gateway's artifacts.
    public var credentials: Dependents
    public var reviews: Reviews
    public var eventHub: EventHub
    public var replicas: [Replica]
    public var lastSync: LastSync?

    enum CodingKeys: String, CodingKey {
        case gateway, store, artifacts, credentials, reviews, eventHub, replicas, lastSync
    }

    /// Encodes `lastSync` as `null` when there was no run, so the key is always present.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(gateway, forKey: .gateway)
        try c.encode(store, forKey: .store)
        try c.encode(artifacts, forKey: .artifacts)
        try c.encode(credentials, forKey: .credentials)
        try c.encode(reviews, forKey: .reviews)
        try c.encode(eventHub, forKey: .eventHub)
        try c.encode(replicas, forKey: .replicas)
        if let lastSync { try c.encode(lastSync, forKey: .lastSync) } else { try c.encodeNil(forKey: .lastSync) }
    }

    /// Reads everything from the store.
    public static func gather(store: any GatewayStore, thresholds: LagThresholds) async throws -> StatusReport {
        let counts = try await store.artifactCounts()
        var reviews = Reviews()
        for review in try await store.reviews(statuses: [.pending, .retained, .retentionConfirmed], limit: 1_000_000) {
            switch (review.status, review.verdict) {
            case (.pending, .unverified): reviews.unverified += 1
            case (.pending, _): reviews.pending += 1
            default: reviews.retained += 1
            }
        }
        // The hub, the replicas' lag and the last run from one snapshot.
        let tables = try await store.tables(recentEvents: 0, lagWindow: FleetLag.samplesNeeded(thresholds))
        let position = tables.position
        let replicas = FleetLag.reports(tables, thresholds: thresholds).map { r in
            Replica(
                id: r.replicaId, status: r.status.rawValue, appliedSeq: r.appliedSeq, lagEvents: r.lagEvents,
                lagSeconds: (r.lagSeconds * 1000).rounded() / 1000, heartbeatAgeSeconds: (r.heartbeatAge * 1000).rounded() / 1000,
                reason: r.reason)
        }
        let last = tables.runs.first.map { run in
            LastSync(
                id: run.id, trigger: run.trigger.rawValue, outcome: run.outcome.rawValue, startedAt: run.startedAt.rfc3339,
                finishedAt: run.finishedAt?.rfc3339, fetched: run.counters.fetched, statusUpdated: run.counters.statusUpdated,
                retained: run.counters.retained, pendingDeletion: run.counters.pendingDeletion, deleted: run.counters.deleted,
                errors: run.counters.errors)
        }
        return StatusReport(
            gateway: store.gatewayId, store: Store(backend: store.backendName, location: store.location), artifacts: counts,
            credentials: try await store.credentialTotals(), reviews: reviews, eventHub: EventHub(headSeq: position.headSeq, oldestSeq: position.oldestSeq),
            replicas: replicas,
            lastSync: last)
    }
}
