import Foundation
import Testing
import TestSupport
@testable import Core

/// The periodic loops wait on the clock they are given: their tests move a manual clock instead
/// of sleeping for their periods to pass, and prove that no period is measured on another clock.
@Suite(.timeLimit(.minutes(1)))
struct ClockDrivenLoopsTests {
    @Test func aReplicasHeartbeatsAndLagSamplesFollowItsClock() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let clock = ManualClock()
        var options = ReplicaOptions()
        options.clock = clock
        options.heartbeatInterval = .seconds(1)
        options.sampleInterval = .seconds(2)
        let runner = ReplicaRunner(store: f.store, replicaId: "r1", options: options)
        let running = Task { try await runner.run() }
        defer { running.cancel() }
        // Given a replica that started, beat and sampled once, and waits for its next period
        try await clock.waitForSleepers()
        try await waitUntil(seconds: 10) { try await f.store.lagSamples(since: Timestamp(microseconds: 0)).count == 1 }
        let first = try #require(try await f.store.replicas().first).heartbeatAt
        // When real time passes but its clock does not: no heartbeat
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await f.store.replicas().first?.heartbeatAt == first)
        // When its clock passes one heartbeat interval: a heartbeat, no sample yet
        clock.advance(by: .seconds(1))
        try await waitUntil(seconds: 10) { try await f.store.replicas().first.map { $0.heartbeatAt > first } ?? false }
        try await clock.waitForSleepers()
        #expect(try await f.store.lagSamples(since: Timestamp(microseconds: 0)).count == 1)
        // When it passes a second one: the sample interval is reached too
        clock.advance(by: .seconds(1))
        try await waitUntil(seconds: 10) { try await f.store.lagSamples(since: Timestamp(microseconds: 0)).count == 2 }
    }

    @Test func theRetentionCleanersPassesFollowItsClock() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a"), Fixtures.artifact("b")])
        let clock = ManualClock()
        // Given a cleaner that keeps nothing past its pass, every minute of its clock
        let cleaner = RetentionCleaner(log: f.store, retention: .zero, interval: .seconds(60), clock: clock, logger: .silent("test"))
        let running = Task { await cleaner.run() }
        defer { running.cancel() }
        // Then its first pass prunes at once
        try await clock.waitForSleepers()
        #expect(try await f.store.position().oldestSeq == 3)
        // When two more events come and real time passes: they stay until the clock reaches its next pass
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("c"), Fixtures.artifact("d")])
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await f.store.position().oldestSeq == 3)
        clock.advance(by: .seconds(60))
        try await waitUntil(seconds: 10) { try await f.store.position().oldestSeq == 5 }
    }
}
