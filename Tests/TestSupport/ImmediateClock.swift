import Synchronization

/// A clock whose sleeps return at once, moving its time forward by what was asked: code that waits
/// (a backoff, a retry) runs in a test without the test sleeping, and the test can read how long
/// it would have waited.
public final class ImmediateClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let current = Mutex(Instant(offset: .zero))
    private let slept = Mutex<[Duration]>([])

    public init() {}

    public var now: Instant { current.withLock { $0 } }
    public var minimumResolution: Duration { .zero }
    /// Every sleep asked of this clock, in order.
    public var sleeps: [Duration] { slept.withLock { $0 } }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        let wait = current.withLock { now in
            defer { now = max(now, deadline) }
            return now.duration(to: deadline)
        }
        slept.withLock { $0.append(wait) }
        await Task.yield()
    }
}
