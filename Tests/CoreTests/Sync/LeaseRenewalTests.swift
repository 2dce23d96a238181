import Foundation
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// A running sync renews its single-flight lease on its lease clock; a lease another sync took
/// over stops the run instead of letting two syncs write at once.
struct LeaseRenewalTests {
    /// A sync whose archive fetches take `fetchDelay` (`fetches` of them), with a lease of `ttl`
    /// renewed on `clock`.
    static func slowSync(
        _ f: StoreFixture, _ h: SimulatorHarness, ttl: Duration, clock: ManualClock, fetches: Int, fetchDelay: Int
    ) async -> Task<SyncRunRecord, any Error> {
        await h.platform.addFault(SimFault(endpoint: .fetchBatch, count: fetches, delayMs: fetchDelay))
        var options = SyncOptions()
        options.leaseTTL = ttl
        let engine = SyncEngine(store: f.store, platform: h.client(timeout: .seconds(60)), options: options, leaseClock: clock)
        return Task { try await engine.run(trigger: .cli, requestedBy: Principal(user: "ops", clientAddress: nil)) }
    }

    @Test(.timeLimit(.minutes(1)))
    func aLeaseTakenOverStopsTheRunAtTheNextRenewal() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 20) { h in
            // Given a sync stuck on a slow archive fetch, its lease renewed on a clock the test moves
            let clock = ManualClock()
            let run = await Self.slowSync(f, h, ttl: .milliseconds(300), clock: clock, fetches: 10, fetchDelay: 20_000)
            try await clock.waitForSleepers()
            // When its lease expires unrenewed and another host's sync takes it over
            try await Task.sleep(for: .milliseconds(400))
            let other = SyncLeaseHolder(token: "other", host: "elsewhere/boot", pid: 1)
            guard case .started = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "bob", holder: other, ttl: .seconds(30)) else {
                Issue.record("the expired lease was not taken over")
                return
            }
            clock.advance(by: .milliseconds(100))
            // Then the stuck run stops at once, saying why, and is recorded as abandoned
            let error = await #expect(throws: SyncError.self) { try await run.value }
            #expect("\(String(describing: error))".contains("another sync took it over"), "\(String(describing: error))")
            let first = try #require(try await f.store.syncRun(id: 1))
            #expect(first.outcome == .abandoned)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aRunKeepsItsLeaseAsLongAsItsClockRenewsIt() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 20) { h in
            // Given a sync on a slow fetch with a 3 s lease, renewed each time its clock passes a third of that
            // (a lease long enough that a renewal slowed by a loaded machine still lands in time; the fetch
            // outlasts the test by seconds, so the run cannot end and free the lease first)
            let clock = ManualClock()
            let run = await Self.slowSync(f, h, ttl: .seconds(3), clock: clock, fetches: 1, fetchDelay: 14_000)
            try await clock.waitForSleepers()
            // When its clock moves on for 6.5 s of real time, over twice the lease's time to live
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .milliseconds(6_500) {
                clock.advance(by: .seconds(1))
                try await Task.sleep(for: .milliseconds(100))
                try await clock.waitForSleepers()  // renewed, and asleep until the next period
            }
            // Then the run is still running, and nobody else can start a sync: the lease is still the run's
            let running = try #require(try await f.store.syncRun(id: 1))
            #expect(running.finishedAt == nil, "the run ended early: \(running.outcome) \(running.errors)")
            let other = SyncLeaseHolder(token: "other", host: "elsewhere/boot", pid: 1)
            guard case .busy = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "bob", holder: other, ttl: .seconds(30)) else {
                Issue.record("the lease expired although the run renewed it (\(ContinuousClock.now - started) into the test)")
                return
            }
            // And the run finishes as it would have
            let record = try await run.value
            #expect(record.outcome == .succeeded)
        }
    }
}
