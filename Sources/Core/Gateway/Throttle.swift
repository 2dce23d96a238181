import Synchronization

/// At most one pass per key a `period`; what is held back is counted into the next pass. Keeps
/// what one account can make the controller write (log lines, audit rows) in proportion to time,
/// not to how fast it can ask.
public final class Throttle: Sendable {
    private struct Entry {
        var last: ContinuousClock.Instant
        var held = 0
    }

    public let period: Duration
    private let entries = Mutex([String: Entry]())

    public init(period: Duration) { self.period = period }

    /// nil when `key` passed less than a period ago (counted); else how many were held back
    /// since it last passed.
    public func pass(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        entries.withLock { entries in
            if var entry = entries[key], now - entry.last < period {
                entry.held += 1
                entries[key] = entry
                return nil
            }
            let held = entries[key]?.held ?? 0
            entries[key] = Entry(last: now)
            // Keys that have not passed for a period are forgotten: the table stays small.
            if entries.count > 10_000 { entries = entries.filter { now - $0.value.last < period } }
            return held
        }
    }
}
