import Core
import Synchronization
import Testing
import TestSupport

@testable import Console

/// The console's hub source: what the controller's stream pushed is read without a round trip
/// while it continues what was read; anything else is asked of the service (here a real store).
struct ServiceHubTests {
    /// A store with six artifact events (seqs 1…6), a console-side source over it, and a count of
    /// the hub questions that reached the service.
    static func fixture() async throws -> (StoreFixture, ServiceHub, CountingService) {
        let f = try await StoreFixture.make()
        for name in ["a", "b", "c", "d", "e", "f"] { _ = try await f.store.upsertArtifacts([Fixtures.artifact(name)]) }
        let service = CountingService(LocalGatewayService(
            store: f.store, engine: nil, platform: nil, thresholds: LagThresholds(), actor: Principal(user: "alice", clientAddress: nil)))
        return (f, ServiceHub(service: service), service)
    }

    @Test func pushedEventsThatContinueTheCursorNeedNoRoundTrip() async throws {
        let (f, hub, service) = try await Self.fixture()
        defer { f.remove() }
        let stored = try await f.store.events(after: 0, limit: 10)
        // Given a subscription that read up to 2 from the service
        #expect(try await hub.events(after: 0, limit: 2).map(\.seq) == [1, 2])
        #expect(service.asked == 1)
        // When the stream pushes 3…4 and then 5…6
        hub.pushed(Array(stored[2...3]))
        hub.pushed(Array(stored[4...5]))
        // Then they are read, in limits, and "nothing new" and the head are known, all without asking
        #expect(try await hub.events(after: 2, limit: 3).map(\.seq) == [3, 4, 5])
        #expect(try await hub.events(after: 5, limit: 3).map(\.seq) == [6])
        #expect(try await hub.events(after: 6, limit: 3).isEmpty)
        #expect(try await hub.position() == HubPosition(headSeq: 6, oldestSeq: 7))
        #expect(service.asked == 1)
    }

    @Test func aGapInTheStreamIsReadFromTheService() async throws {
        let (f, hub, service) = try await Self.fixture()
        defer { f.remove() }
        let stored = try await f.store.events(after: 0, limit: 10)
        #expect(try await hub.events(after: 0, limit: 2).map(\.seq) == [1, 2])
        // Given the stream pushes 3, then skips to 5…6 (its controller's replica reloaded)
        hub.pushed([stored[2]])
        hub.pushed(Array(stored[4...5]))
        // Then what follows 2 comes from the service, whole, and so does the position
        #expect(try await hub.events(after: 2, limit: 10).map(\.seq) == [3, 4, 5, 6])
        #expect(service.asked == 2)
        #expect(try await hub.position().headSeq == 6)
        #expect(service.asked == 3)
        // And once a pushed batch continues what was read, the stream is trusted again
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("g")])
        hub.pushed(try await f.store.events(after: 5, limit: 10))
        #expect(try await hub.events(after: 6, limit: 10).map(\.seq) == [7])
        #expect(try await hub.events(after: 7, limit: 10).isEmpty)
        #expect(service.asked == 3)
    }

    @Test func aRestartedStreamOrAMovedCursorAsksTheService() async throws {
        let (f, hub, service) = try await Self.fixture()
        defer { f.remove() }
        let stored = try await f.store.events(after: 0, limit: 10)
        _ = try await hub.events(after: 0, limit: 2)
        hub.pushed(Array(stored[2...3]))
        // When the stream ends, what it pushed is not trusted
        hub.streamRestarted()
        #expect(try await hub.events(after: 2, limit: 10).map(\.seq) == [3, 4, 5, 6])
        #expect(service.asked == 2)
        // And a subscription that starts again elsewhere (after a reload) reads from the service
        hub.pushed([])
        #expect(try await hub.events(after: 1, limit: 1).map(\.seq) == [2])
        #expect(service.asked == 3)
    }

    @Test func aSubscriptionOverItReportsLostEventsAsAReplicaWould() async throws {
        let (f, hub, _) = try await Self.fixture()
        defer { f.remove() }
        // Given events 1…6 pruned from the hub
        #expect(try await f.store.pruneEvents(processedBefore: Timestamp(microseconds: Int64.max / 2)) == 6)
        // When a console subscription starts at 2
        var iterator = EventSubscription(source: hub, after: 2) { AsyncStream { $0.yield() } }.makeAsyncIterator()
        // Then it is told the events are lost (and must load a snapshot)
        guard case .lost(let position) = try await iterator.next() else {
            Issue.record("expected .lost")
            return
        }
        #expect(position.headSeq == 6 && position.oldestSeq == 7)
    }
}

/// A gateway service that counts the hub questions (events, position) it forwards.
final class CountingService: GatewayService {
    let inner: LocalGatewayService
    private let count = Mutex(0)
    private let follows = Mutex(0)
    /// What `follow(after:)` answers: a pushed stream, or nil (the store's service pushes nothing).
    let pushes: @Sendable (Int64) -> AsyncThrowingStream<[HubEvent], any Error>?
    init(_ inner: LocalGatewayService, pushes: @escaping @Sendable (Int64) -> AsyncThrowingStream<[HubEvent], any Error>? = { _ in nil }) {
        self.inner = inner
        self.pushes = pushes
    }
    var asked: Int { count.withLock { $0 } }
    /// How many times a pushed stream was asked for.
    var followed: Int { follows.withLock { $0 } }

    var origin: ServiceOrigin { inner.origin }
    func whoami() async throws -> Caller { try await inner.whoami() }
    func status() async throws -> StatusReport { try await inner.status() }
    func snapshot() async throws -> ViewSnapshot { try await inner.snapshot() }
    func events(after seq: Int64, limit: Int) async throws -> [HubEvent] {
        count.withLock { $0 += 1 }
        return try await inner.events(after: seq, limit: limit)
    }
    func hubPosition() async throws -> HubPosition {
        count.withLock { $0 += 1 }
        return try await inner.hubPosition()
    }
    func follow(after seq: Int64) -> AsyncThrowingStream<[HubEvent], any Error>? {
        follows.withLock { $0 += 1 }
        return pushes(seq)
    }
    func dashboard(recentEvents: Int, lagWindow: Duration) async throws -> Dashboard {
        try await inner.dashboard(recentEvents: recentEvents, lagWindow: lagWindow)
    }
    func reviews(statuses: [ReviewStatus]) async throws -> [OrphanReview] { try await inner.reviews(statuses: statuses) }
    func review(idOrArtifact: String) async throws -> OrphanReview? { try await inner.review(idOrArtifact: idOrArtifact) }
    func syncRun(id: Int64) async throws -> SyncRunRecord? { try await inner.syncRun(id: id) }
    func detail(uuid: String) async throws -> ArtifactDetail { try await inner.detail(uuid: uuid) }
    func listDeployments(since: Timestamp?) async throws -> DeploymentListing? { try await inner.listDeployments(since: since) }
    func plan() async throws -> SyncPreview { try await inner.plan() }
    func startSync(trigger: SyncTrigger) async throws -> Int64 { try await inner.startSync(trigger: trigger) }
    func decide(reviewId: Int64, decision: ReviewDecision, seen: ReviewVersion?, force: Bool) async throws -> DecisionResult {
        try await inner.decide(reviewId: reviewId, decision: decision, seen: seen, force: force)
    }
}
