import Synchronization
import Testing
import TestSupport
@testable import Core

/// The one retry rule, and the platform retry that uses it, run on a clock that does not sleep.
struct BackoffTests {
    @Test(arguments: [
        (initial: 1, maximum: 5, waits: [1, 2, 4, 5, 5]),
        (initial: 200, maximum: 5000, waits: [200, 400, 800, 1600, 3200, 5000, 5000]),
        (initial: 3, maximum: 3, waits: [3, 3]),
    ])
    func doublesFromInitialToMaximum(initial: Int, maximum: Int, waits: [Int]) {
        var backoff = Backoff(initial: .milliseconds(initial), maximum: .milliseconds(maximum))
        #expect(waits.map { _ in backoff.next() } == waits.map { .milliseconds($0) })
        #expect(backoff.failures == waits.count)
        backoff.reset()
        #expect(backoff.next() == .milliseconds(initial))
    }

    @Test func manyFailuresNeverOverflow() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(300))
        for _ in 0..<100 { _ = backoff.next() }
        #expect(backoff.next() == .seconds(300))
    }

    @Test func jitterScalesEachWaitWithinItsRange() {
        var backoff = Backoff(initial: .seconds(10), maximum: .seconds(10), jitter: 0.5...1.0)
        let waits = (0..<200).map { _ in backoff.next() }
        #expect(waits.allSatisfy { $0 >= .seconds(5) && $0 <= .seconds(10) })
        #expect(Set(waits).count > 100, "the factor is drawn for each wait")
    }

    @Test func waitingSleepsOnTheClockItIsGiven() async {
        let clock = ImmediateClock()
        var backoff = Backoff(initial: .seconds(30), maximum: .seconds(60))
        await backoff.wait(on: clock)
        await backoff.wait(on: clock)
        #expect(clock.sleeps == [.seconds(30), .seconds(60)])
        #expect(clock.now.offset == .seconds(90))
    }

    static let transient = PlatformError.http(endpoint: "/api/internal/v1/deployments", status: 503, message: nil, description: nil)

    @Test func aTransientFailureIsRetriedUpToTheAttempts() async throws {
        let clock = ImmediateClock()
        let calls = Mutex(0)
        // Given a call that fails twice with 503, then answers
        let answer = try await Retry.run(attempts: 3, backoff: Backoff(initial: .seconds(1), maximum: .seconds(60)), clock: clock) {
            let n = calls.withLock { $0 += 1; return $0 }
            if n < 3 { throw Self.transient }
            return n
        }
        // Then the third attempt answers, after waits of 1 s and 2 s that took no real time
        #expect(answer == 3)
        #expect(clock.sleeps == [.seconds(1), .seconds(2)])
    }

    @Test func retriesEndAtTheLastAttemptAndNeverForAPermanentFailure() async {
        let clock = ImmediateClock()
        let calls = Mutex(0)
        await #expect(throws: PlatformError.self) {
            try await Retry.run(attempts: 3, backoff: Backoff(initial: .seconds(1), maximum: .seconds(60)), clock: clock) {
                calls.withLock { $0 += 1 }
                throw Self.transient
            }
        }
        #expect(calls.withLock { $0 } == 3 && clock.sleeps.count == 2)
        let refused = PlatformError.http(endpoint: "/api/internal/v1/deployments", status: 401, message: nil, description: nil)
        await #expect(throws: PlatformError.self) {
            try await Retry.run(attempts: 3, backoff: Backoff(initial: .seconds(1), maximum: .seconds(60)), clock: clock) {
                calls.withLock { $0 += 1 }
                throw refused
            }
        }
        #expect(calls.withLock { $0 } == 4 && clock.sleeps.count == 2)
    }
}
