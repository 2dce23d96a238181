import Foundation
import TestSupport

/// `hub-latency`: publish→apply latency across three replica processes at 1,000 events/s, on
/// SQLite (data_version wakeups) and PostgreSQL (LISTEN/NOTIFY), against the same hub polling
/// every 3 s (the reference design) and the backend's floor, in one run.
struct HubLatencySuite: Suite {
    static let key = "hub_latency"
    static let rate = 1000

    func run(_ options: SuiteOptions) async throws -> SuiteReport {
        try await HubRun.environment(options) { dir, postgres, seconds in try await measure(options, dir, postgres, seconds) }
    }

    private func measure(_ options: SuiteOptions, _ dir: TemporaryDirectory, _ postgres: PostgresServer, _ seconds: Double) async throws -> SuiteReport {
        var json: [String: Figure] = [:]
        var lines = [
            "| backend | wakeup p50 | p99 | max | poll 3 s p50 | p99 | floor p50 | floor p99 | poll p99 ÷ wakeup p99 |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for backend in HubBackend.allCases {
            var wakeup: [[Double]] = []
            var poll: [[Double]] = []
            for rep in 0..<options.repetitions {
                // Alternate which mode goes first.
                for mode in rep % 2 == 0 ? [WakeupMode.wakeup, .poll] : [.poll, .wakeup] {
                    let result = try await HubRun(backend: backend, rate: Self.rate, seconds: seconds, mode: mode).run(postgres: postgres, dir)
                    let sorted = result.latenciesMs.sorted()
                    if mode == .wakeup { wakeup.append(sorted) } else { poll.append(sorted) }
                    Progress.say(
                        "hub-latency \(backend.rawValue) rep \(rep + 1) \(mode.rawValue): p50 \(f(Percentiles.of(sorted, 0.5), 2)) ms "
                            + "p99 \(f(Percentiles.of(sorted, 0.99), 2)) ms max \(f(sorted.last ?? .nan, 2)) ms")
                }
            }
            let floor = try await HubFloor.measure(backend, postgres: postgres, dir).sorted()
            // Per-run percentiles, the median run reported (min and max in the spread).
            let p50 = Spread(wakeup.map { Percentiles.of($0, 0.5) }), p99 = Spread(wakeup.map { Percentiles.of($0, 0.99) })
            let max = Spread(wakeup.map { $0.last ?? .nan })
            let pollP50 = Spread(poll.map { Percentiles.of($0, 0.5) }), pollP99 = Spread(poll.map { Percentiles.of($0, 0.99) })
            let floorP50 = Percentiles.of(floor, 0.5), floorP99 = Percentiles.of(floor, 0.99)
            json[backend.rawValue] = [
                "p50_ms": .number(p50.median), "p99_ms": .number(p99.median), "max_ms": .number(max.median),
                "poll_p50_ms": .number(pollP50.median), "poll_p99_ms": .number(pollP99.median),
                "floor_p50_ms": .number(floorP50), "floor_p99_ms": .number(floorP99),
                "poll_wakeup_p99_ratio": .number(pollP99.median / p99.median),
                "events_per_s": .number(Double(Self.rate)), "seconds": .number(seconds), "replicas": .number(Double(HubRun.replicas)),
                "spread": ["p50_ms": p50.json, "p99_ms": p99.json, "max_ms": max.json, "poll_p99_ms": pollP99.json],
            ]
            lines.append(
                "| \(backend.rawValue) | \(p50.text(2)) | \(p99.text(2)) | \(max.text(1)) | \(f(pollP50.median, 0)) | \(f(pollP99.median, 0)) | "
                    + "\(f(floorP50, 3)) | \(f(floorP99, 3)) | \(f(pollP99.median / p99.median, 0))× |")
        }
        lines.append("ms, median [min–max] of \(options.repetitions) run(s) of \(Int(seconds)) s at \(Self.rate) events/s, \(HubRun.replicas) replica processes. Targets: p99 ≤ 25 ms SQLite, ≤ 10 ms PostgreSQL, ≥ 100× better than polling at 3 s.")
        return SuiteReport(json: .object(json), lines: lines)
    }
}

/// `hub-throughput`: the highest publish rate (batched publish) each backend sustains for the
/// run while three replica processes keep every event's publish→apply lag ≤ 1 s.
struct HubThroughputSuite: Suite {
    static let key = "hub_throughput"
    /// Only these rates instead of the ladder (to look at one rate).
    var rates: [Int]?
    static let ladder = [2500, 5000, 10_000, 15_000, 20_000, 30_000, 40_000, 60_000, 80_000]
    static let maxLagMs = 1000.0

    func run(_ options: SuiteOptions) async throws -> SuiteReport {
        try await HubRun.environment(options) { dir, postgres, seconds in try await measure(options, dir, postgres, seconds) }
    }

    private func measure(_ options: SuiteOptions, _ dir: TemporaryDirectory, _ postgres: PostgresServer, _ seconds: Double) async throws -> SuiteReport {
        var json: [String: Figure] = [:]
        var lines = [
            "| backend | sustained events/s | measured publish rate | lag p99 | lag max | lowest rate not sustained |", "|---|---|---|---|---|---|",
        ]
        for backend in HubBackend.allCases {
            var best: (rate: Int, achieved: Double, p99: Double, max: Double)?
            let ladder = rates ?? (options.quick ? Array(Self.ladder.prefix(2)) : Self.ladder)
            var failed = "none up to \(ladder.last!)/s (the ladder's top)"
            var lowestFailed: Int?
            // Up the ladder to the first rate not sustained, then two bisection steps below it.
            var refinements = options.quick || rates != nil ? 0 : 2
            var next = ladder.first
            while let rate = next {
                // Ten publish transactions a second per replica wakeup is plenty: 100 Hz batches.
                let run = HubRun(backend: backend, rate: rate, seconds: seconds, batch: max(1, rate / 100))
                let result = try await run.run(postgres: postgres, dir)
                let sorted = result.latenciesMs.sorted()
                let (p99, worst) = (Percentiles.of(sorted, 0.99), sorted.last ?? .nan)
                let kept = result.achievedRate >= Double(rate) * 0.95 && worst <= Self.maxLagMs
                Progress.say(
                    "hub-throughput \(backend.rawValue) \(rate)/s: published \(f(result.achievedRate, 0))/s, "
                        + "lag p99 \(f(p99)) ms max \(f(worst)) ms → \(kept ? "kept up" : "fell behind")")
                if kept {
                    if rate > best?.rate ?? 0 { best = (rate, result.achievedRate, p99, worst) }
                } else {
                    lowestFailed = min(rate, lowestFailed ?? rate)
                    failed = "\(rate)/s (published \(f(result.achievedRate, 0))/s, lag max \(f(worst, 0)) ms)"
                }
                if let high = lowestFailed {
                    let low = best?.rate ?? 0
                    guard refinements > 0, high - low > 1000 else { break }
                    refinements -= 1
                    next = (low + high) / 2 / 500 * 500
                } else {
                    next = ladder.first { $0 > rate }
                }
            }
            json[backend.rawValue] = [
                "events_per_s": .number(Double(best?.rate ?? 0)), "published_per_s": .number(best?.achieved ?? 0),
                "lag_p99_ms": .number(best?.p99 ?? .nan), "lag_max_ms": .number(best?.max ?? .nan), "seconds": .number(seconds),
            ]
            lines.append(
                "| \(backend.rawValue) | \(best?.rate ?? 0) | \(f(best?.achieved ?? 0, 0))/s | \(f(best?.p99 ?? .nan)) ms | \(f(best?.max ?? .nan)) ms | \(failed) |")
        }
        lines.append("Batched publish (rate/100 events per transaction), \(HubRun.replicas) replica processes, \(Int(seconds)) s per rate; a rate is sustained when the publisher keeps 95% of its schedule and every event reaches all replicas within 1 s. Targets: ≥ 20,000/s SQLite, ≥ 10,000/s PostgreSQL.")
        return SuiteReport(json: .object(json), lines: lines)
    }
}
