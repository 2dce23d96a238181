/// What the console and the CLI ask of a gateway (DESIGN §9). Two implementations: the store and
/// engine in this process (`LocalGatewayService`: root, development, no controller running), or
/// the controller through its control socket (`ControlClient`), which holds the platform key and
/// the store's write access for every operator.
public protocol GatewayService: Sendable {
    /// Where the answers come from, for the header: `socket /run/gwops/gw.sock` or the store.
    var origin: ServiceOrigin { get }
    /// Who the gateway thinks is asking, and what they may do.
    func whoami() async throws -> Caller
    func status() async throws -> StatusReport
    /// Every artifact's summary and the hub head they reflect (the start of following the hub).
    func snapshot() async throws -> ViewSnapshot
    /// Hub events after `seq`, oldest first, at most `limit`.
    func events(after seq: Int64, limit: Int) async throws -> [HubEvent]
    /// The hub's head and retention floor.
    func hubPosition() async throws -> HubPosition
    /// Hub events after `seq` pushed as the gateway applies them, in batches, until the stream
    /// ends (the gateway stopped, or this client fell too far behind: follow again from the
    /// cursor); nil when this service cannot push (the store read here: `events(after:)` reads it).
    func follow(after seq: Int64) -> AsyncThrowingStream<[HubEvent], any Error>?
    /// The small tables a dashboard shows, as one snapshot.
    func dashboard(recentEvents: Int, lagWindow: Duration) async throws -> Dashboard
    func reviews(statuses: [ReviewStatus]) async throws -> [OrphanReview]
    /// A review by id, else the newest review of the artifact with that id.
    func review(idOrArtifact: String) async throws -> OrphanReview?
    func syncRun(id: Int64) async throws -> SyncRunRecord?
    func detail(uuid: String) async throws -> ArtifactDetail
    /// The platform's listing, asked by whoever holds the key (nil: no platform configured).
    func listDeployments(since: Timestamp?) async throws -> DeploymentListing?
    /// What a sync would do now.
    func plan() async throws -> SyncPreview
    /// Starts a sync and returns its run id once it is recorded; the run goes on without the
    /// caller. Throws `SyncError.busy` when one is running.
    func startSync(trigger: SyncTrigger) async throws -> Int64
    /// Decides on a review, only while it is as the operator saw it (`seen`, when given).
    func decide(reviewId: Int64, decision: ReviewDecision, seen: ReviewVersion?, force: Bool) async throws -> DecisionResult
}

extension GatewayService {
    /// Waits for sync run `id` to finish, reading it every `poll`; `whileRunning` runs after each
    /// reading that is not finished yet.
    public func finishedRun(
        _ id: Int64, poll: Duration = .milliseconds(250), whileRunning: () async -> Void = {}
    ) async throws -> SyncRunRecord {
        while true {
            try await Task.sleep(for: poll)
            if let run = try await syncRun(id: id), run.finishedAt != nil { return run }
            await whileRunning()
        }
    }
}

/// Where a service's answers come from.
public enum ServiceOrigin: Sendable, Equatable {
    /// The controller's control socket at this path.
    case socket(String)
    /// The store itself (backend name and location).
    case store(backend: String, location: String)

    public var isSocket: Bool { if case .socket = self { true } else { false } }

    public var label: String {
        switch self {
        case .socket(let path): "socket \(path)"
        case .store(let backend, let location): "\(backend) \(location)"
        }
    }
}

/// The caller as the gateway sees it.
public struct Caller: Sendable, Codable, Equatable {
    public var user: String
    public var role: Role
    /// The kernel's view of a socket caller; nil for a direct session.
    public var peer: PeerIdentity?
    /// Why actions are refused (a viewer, a read-only session); nil for an operator.
    public var actionRefusal: String?

    public init(user: String, role: Role, peer: PeerIdentity? = nil, actionRefusal: String? = nil) {
        self.user = user
        self.role = role
        self.peer = peer
        self.actionRefusal = actionRefusal
    }
}

/// Every artifact and the head seq the set reflects.
public struct ViewSnapshot: Sendable, Codable, Equatable {
    public var artifacts: [ArtifactSummary]
    public var headSeq: Int64

    public init(artifacts: [ArtifactSummary], headSeq: Int64) {
        self.artifacts = artifacts
        self.headSeq = headSeq
    }
}

/// The small tables of a dashboard, read in one snapshot (`GatewayTables`), with each replica's
/// lag evaluated.
public struct Dashboard: Sendable, Codable, Equatable {
    /// The database clock when read.
    public var now: Timestamp
    public var hub: HubPosition
    public var replicas: [ReplicaRecord]
    public var lag: [LagReport]
    public var lagSamples: [LagSample]
    /// Open reviews: pending, retained, retention confirmed.
    public var reviews: [OrphanReview]
    public var runs: [SyncRunRecord]
    /// The newest events, newest first.
    public var recentEvents: [HubEvent]
    /// API keys per artifact uuid.
    public var apiKeys: [String: Int]

    public init(
        now: Timestamp, hub: HubPosition, replicas: [ReplicaRecord], lag: [LagReport], lagSamples: [LagSample],
        reviews: [OrphanReview], runs: [SyncRunRecord], recentEvents: [HubEvent], apiKeys: [String: Int]
    ) {
        self.now = now
        self.hub = hub
        self.replicas = replicas
        self.lag = lag
        self.lagSamples = lagSamples
        self.reviews = reviews
        self.runs = runs
        self.recentEvents = recentEvents
        self.apiKeys = apiKeys
    }
}

/// One artifact with what hangs off it. Key hashes are never included.
public struct ArtifactDetail: Sendable, Codable, Equatable {
    public var uuid: String
    public var content: String?
    public var events: [HubEvent]
    public var history: [OrphanReview]
    public var keys: [APIKeyRecord]
    public var subscriptions: [SubscriptionRecord]

    public init(
        uuid: String, content: String?, events: [HubEvent], history: [OrphanReview], keys: [APIKeyRecord],
        subscriptions: [SubscriptionRecord]
    ) {
        self.uuid = uuid
        self.content = content
        self.events = events
        self.history = history
        self.keys = keys.map { var k = $0; k.hashes = [:]; return k }
        self.subscriptions = subscriptions
    }
}

/// A review as the operator saw it: a decision applies only while the review is unchanged (a
/// later sync updates its verdict, counts or status, and moves `updatedAt`).
public struct ReviewVersion: Sendable, Codable, Equatable {
    public var status: ReviewStatus
    public var updatedAt: Timestamp

    public init(status: ReviewStatus, updatedAt: Timestamp) {
        self.status = status
        self.updatedAt = updatedAt
    }

    public init(_ review: OrphanReview) { self.init(status: review.status, updatedAt: review.updatedAt) }
}

/// The gateway has no platform configured, so there is nothing to sync with or list.
public struct NoPlatform: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "no platform is configured here ([platform] url and key), so there is nothing to sync with" }
}

/// An action the caller may not take (a viewer, a read-only session), in words.
public struct ActionRefused: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A failure the gateway answered with, carrying its HTTP status (nil when there was no answer):
/// asking again the same way gets the same answer.
public protocol AnsweredError: Error {
    var status: Int? { get }
}
