/// Retries transient platform failures with exponential backoff and jitter.
enum Retry {
    static func run<T: Sendable>(
        attempts: Int, baseDelay: Duration, _ operation: @Sendable () async throws -> T
    ) async throws -> T {
        var delay = baseDelay
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error as PlatformError where error.isTransient && attempt < attempts {
                let jitter = Double.random(in: 0.8...1.2)
                try await Task.sleep(for: delay * jitter)
                delay *= 2
                attempt += 1
            }
        }
    }
}
