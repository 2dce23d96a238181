import Testing
@testable import Core

/// The lease rule as a table: (why, the lease row, is its holder alive, the decision). The
/// claimant runs on "h1"; now is t = 100 µs.
struct SyncLeaseTests {
    static let now = Timestamp(microseconds: 100)

    static func lease(_ holder: String, host: String = "h1", expires: Int64, run: Int64? = 7) -> SyncLease.Row {
        SyncLease.Row(holder: holder, host: host, pid: 42, runId: run, expiresAt: Timestamp(microseconds: expires))
    }

    @Test(arguments: [
        ("no lease row yet", nil, true, SyncLease.Decision.take(abandoning: nil)),
        ("a freed lease", lease("", expires: 0, run: nil), true, .take(abandoning: nil)),
        ("held and not expired", lease("t", expires: 101), true, .busy(holder: "h1 pid 42", runId: 7)),
        ("expires exactly now", lease("t", expires: 100), true, .take(abandoning: 7)),
        ("expired", lease("t", expires: 50), true, .take(abandoning: 7)),
        ("holder died on this host", lease("t", expires: 500), false, .take(abandoning: 7)),
        ("a dead pid on another host proves nothing", lease("t", host: "h2/boot", expires: 500), false, .busy(holder: "h2 pid 42", runId: 7)),
        ("expired on another host", lease("t", host: "h2", expires: 99), true, .take(abandoning: 7)),
    ] as [(String, SyncLease.Row?, Bool, SyncLease.Decision)])
    func decide(why: String, lease: SyncLease.Row?, alive: Bool, expected: SyncLease.Decision) {
        #expect(SyncLease.decide(lease, now: Self.now, claimantHost: "h1", isAlive: { _ in alive }) == expected, "\(why)")
    }

    /// After a renewal attempt, `since` the last one that worked, with a 30 s time to live: a
    /// failure is never counted as a renewal, and a whole time to live without one stops the run.
    @Test(arguments: [
        ("renewed", SyncLease.Renewal.renewed, Duration.seconds(10), "held"),
        ("renewed late still counts", .renewed, .seconds(45), "held"),
        ("taken over by another holder", .notHeld, .seconds(10), "lost"),
        ("store down, within the time to live", .failed("connection refused"), .seconds(20), "retry"),
        ("store down for a whole time to live", .failed("connection refused"), .seconds(30), "lost"),
        ("store down for longer", .failed("database is locked"), .seconds(90), "lost"),
    ] as [(String, SyncLease.Renewal, Duration, String)])
    func afterRenewal(why: String, attempt: SyncLease.Renewal, since: Duration, expected: String) {
        let decision = SyncLease.afterRenewal(attempt, sinceRenewed: since, ttl: .seconds(30))
        switch (decision, expected) {
        case (.held, "held"), (.retry, "retry"): break
        case (.lost(let reason), "lost"):
            // The reason names what happened, and a store failure its error.
            if case .failed(let error) = attempt { #expect(reason.contains(error), "\(why): \(reason)") }
            #expect(reason.contains("this run stopped"), "\(why): \(reason)")
        default: Issue.record("\(why): \(decision), expected \(expected)")
        }
    }
}
