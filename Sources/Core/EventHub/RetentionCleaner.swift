import Logging

/// Deletes events older than the retention, every `interval`.
public struct RetentionCleaner: Sendable {
    let log: any EventLog
    let retention: Duration
    let interval: Duration
    /// What the wait between passes is measured on (a test clock in tests).
    let clock: any Clock<Duration>
    let logger: Logger

    public init(log: any EventLog, retention: Duration, interval: Duration, clock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.log = log
        self.retention = retention
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    /// One pass; returns how many events were pruned.
    @discardableResult
    public func pruneOnce() async throws -> Int {
        let now = try await log.databaseNow()
        let cutoff = now.adding(seconds: -Double(retention.components.seconds))
        return try await log.pruneEvents(processedBefore: cutoff)
    }

    /// Runs until cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                let pruned = try await pruneOnce()
                if pruned > 0 { logger.info("pruned events past retention", metadata: ["count": "\(pruned)"]) }
            } catch {
                logger.warning("retention cleanup failed", metadata: ["error": "\(error)"])
            }
            do { try await clock.sleep(for: interval) } catch { return }  // cancelled
        }
    }
}
