/// How long to wait before trying again, the one rule for every retry in gwops (platform calls,
/// the live connection, a replica's apply loop, the console's hub reads): `initial` after the
/// first failure, doubling up to `maximum`, each wait scaled by a random factor in `jitter` (so
/// replicas that failed together do not retry together).
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var jitter: ClosedRange<Double>
    /// Failures since the last success.
    public private(set) var failures = 0

    public init(initial: Duration, maximum: Duration, jitter: ClosedRange<Double> = 1...1) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The wait after one more failure, before jitter.
    public var nextBase: Duration { min(maximum, initial * (1 << min(failures, 30))) }

    /// Counts a failure and returns the wait before the next try.
    public mutating func next() -> Duration {
        let wait = nextBase * Double.random(in: jitter)
        failures += 1
        return wait
    }

    /// Counts a failure and waits before the next try on `clock` (cancellation ends the wait early).
    public mutating func wait(on clock: any Clock<Duration>) async {
        try? await clock.sleep(for: next())
    }

    /// A success: the next failure waits `initial` again.
    public mutating func reset() { failures = 0 }
}
