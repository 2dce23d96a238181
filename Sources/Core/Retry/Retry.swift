/// Retries transient platform failures, waiting as `backoff` says between attempts.
enum Retry {
    static func run<T: Sendable>(
        attempts: Int, backoff: Backoff, clock: any Clock<Duration>, _ operation: @Sendable () async throws -> T
    ) async throws -> T {
        var backoff = backoff
        while true {
            do {
                return try await operation()
            } catch let error as PlatformError where error.isTransient && backoff.failures + 1 < attempts {
                try await clock.sleep(for: backoff.next())
            }
        }
    }
}

extension SyncOptions {
    /// The wait between attempts at a platform call: `retryBaseDelay`, doubling, ±20 %.
    var backoff: Backoff { Backoff(initial: retryBaseDelay, maximum: .seconds(60), jitter: 0.8...1.2) }
}
