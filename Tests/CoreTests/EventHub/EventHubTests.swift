import Foundation
import Testing
import TestSupport
@testable import Core

/// Event hub conformance: ordering, idempotence, gap-freedom, wakeups. Runs on every backend.
struct EventHubTests {
    /// An artifact event with a readable summary, under the given id.
    static func event(_ id: String, entity: String = "e") -> NewEvent {
        var event = ArtifactEvents.change(Fixtures.summary(entity), action: .update)
        event.eventId = id
        return event
    }

    @Test(arguments: Backend.allCases)
    func publishedEventsAreConsumedInOrder(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        let seqs = try await f.store.publish([Self.event("a"), Self.event("b"), Self.event("c")])
        #expect(seqs == [1, 2, 3])
        var iterator = EventSubscription(log: f.store, after: 0).makeAsyncIterator()
        let delivery = try await iterator.next()
        #expect(delivery.map { if case .events(let e) = $0 { e.map(\.eventId) } else { [] } } == ["a", "b", "c"])
        let stored = try await f.store.events(after: 0, limit: 10)
        #expect(stored.allSatisfy { $0.processedAt.microseconds > 0 && $0.gatewayId == StoreFixture.gatewayId })
    }

    @Test(arguments: Backend.allCases)
    func duplicateEventIdConsumesNoSeq(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        #expect(try await f.store.publish([Self.event("a")]) == [1])
        #expect(try await f.store.publish([Self.event("a"), Self.event("b")]) == [nil, 2])
        #expect(try await f.store.position().headSeq == 2)
        #expect(try await f.store.events(after: 0, limit: 10).map(\.eventId) == ["a", "b"])
    }

    @Test(arguments: Backend.allCases)
    func seqHasNoGapsUnderEightConcurrentPublishers(backend: Backend) async throws {
        // Given eight publishers, each with its own connection pool
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        var stores: [any GatewayStore] = []
        for _ in 0..<8 { stores.append(try await f.openAnother()) }
        // When each publishes 40 single-event transactions concurrently
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (p, store) in stores.enumerated() {
                group.addTask {
                    for i in 0..<40 { _ = try await store.publish([Self.event("p\(p)-\(i)")]) }
                }
            }
            try await group.waitForAll()
        }
        // Then seqs are exactly 1...320 and every event is there once
        let events = try await f.store.events(after: 0, limit: 1000)
        #expect(events.map(\.seq) == Array(1...320))
        #expect(Set(events.map(\.eventId)).count == 320)
        #expect(try await f.store.position().headSeq == 320)
    }

    @Test(arguments: Backend.allCases)
    func eventsCommittedWhileConsumingAreNeverSkipped(backend: Backend) async throws {
        // Given a subscriber that starts before anything is published
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        let total = 300
        let consumer = Task {
            var seen: [Int64] = []
            for try await delivery in EventSubscription(log: f.store, after: 0, batchSize: 7, fallbackPoll: .milliseconds(200)) {
                if case .events(let events) = delivery { seen += events.map(\.seq) }
                if seen.count >= total { break }
            }
            return seen
        }
        // When four publishers commit interleaved transactions of varying size
        var stores: [any GatewayStore] = []
        for _ in 0..<4 { stores.append(try await f.openAnother()) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (p, store) in stores.enumerated() {
                group.addTask {
                    var i = 0
                    while i < total / 4 {
                        let n = min(1 + i % 3, total / 4 - i)
                        _ = try await store.publish((0..<n).map { Self.event("p\(p)-\(i + $0)") })
                        i += n
                    }
                }
            }
            try await group.waitForAll()
        }
        // Then the subscriber saw every seq once, in order
        let seen = try await withTimeout(seconds: 20) { try await consumer.value }
        #expect(seen == (1...Int64(total)).map { $0 })
    }

    @Test(arguments: Backend.allCases)
    func retentionOverrunIsDetectedAndTheReplicaReloads(backend: Backend) async throws {
        // Given a replica whose cursor is at seq 2 of 10
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts((0..<10).map { Fixtures.artifact("a\($0)") })
        _ = try await f.store.registerReplica(id: "r1", host: "h", pid: 1)
        try await f.store.heartbeat(id: "r1", appliedSeq: 2, appliedAt: nil, state: .stopped, resyncs: 0)
        // When retention prunes everything and new events arrive
        let future = try await f.store.databaseNow().adding(seconds: 1)
        #expect(try await f.store.pruneEvents(processedBefore: future) == 10)
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("late")])
        let position = try await f.store.position()
        #expect(position.oldestSeq == 11 && position.hasLostEvents(appliedSeq: 2))
        // Then the subscription reports the loss instead of skipping
        var iterator = EventSubscription(log: f.store, after: 2).makeAsyncIterator()
        #expect(try await iterator.next() == .lost(position))
        // And a replica reloads its view from the artifacts and counts a resync
        let runner = ReplicaRunner(store: f.store, replicaId: "r1")
        let task = Task { try await runner.run() }
        try await waitUntil(seconds: 10) { await runner.appliedSeq == 11 }
        #expect(await runner.resyncs == 1)
        #expect(await runner.view.count == 11)
        task.cancel()
        _ = try? await task.value
        let record = try #require(try await f.store.replicas().first)
        #expect(record.resyncs == 1 && record.appliedSeq == 11 && record.state == .stopped)
    }

    @Test(arguments: Backend.allCases)
    func replicaAppliesEveryEventAndDeletes(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        let runner = ReplicaRunner(store: f.store, replicaId: "r1")
        let task = Task { try await runner.run() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a"), Fixtures.artifact("b")])
        let review = try #require(
            try await f.store.recordOrphan(Fixtures.summary("b"), verdict: .deletedOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action))
        _ = try await f.store.decide(reviewId: review.id, decision: .approve, actor: Principal(user: "t", clientAddress: nil), allowUnverified: false)
        let head = try await f.store.position().headSeq
        try await waitUntil(seconds: 10) { await runner.appliedSeq == head }
        #expect(await Set(runner.view.keys) == ["a"])
        task.cancel()
        _ = try? await task.value
    }
}

/// Runs `body`, failing if it takes longer than `seconds`.
func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw HarnessError.timeout("withTimeout \(seconds)s")
        }
        group.cancelAll()
        return value
    }
}

extension EventHubTests {
    @Test(arguments: Backend.allCases)
    func pruningNeverOpensAGapWhenTheClockSteppedBack(backend: Backend) async throws {
        // Given seq 1..3 where seq 2 carries a later processed_at than seq 3 (clock stepped back)
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.publish([Self.event("a")])
        let cutoff = try await f.store.databaseNow().adding(seconds: 0.001)
        try await Task.sleep(for: .milliseconds(5))
        _ = try await f.store.publish([Self.event("b")])
        _ = try await f.store.publish([Self.event("c")])
        // When pruning before a cutoff between a and b
        _ = try await f.store.pruneEvents(processedBefore: cutoff)
        // Then what is left is a contiguous run of seqs
        let seqs = try await f.store.events(after: 0, limit: 10).map(\.seq)
        #expect(seqs == [2, 3])
    }

    @Test(arguments: Backend.allCases)
    func cursorPastTheHeadIsReportedLost(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.publish([Self.event("a")])
        var iterator = EventSubscription(log: f.store, after: 50).makeAsyncIterator()
        guard case .lost = try await iterator.next() else {
            Issue.record("a cursor beyond the head (restored database) must reload")
            return
        }
    }
}
