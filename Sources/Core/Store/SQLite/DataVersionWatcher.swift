internal import GRDB

/// Wakes consumers when another connection (in any process) commits to the database.
///
/// `PRAGMA data_version` is per connection, so the watcher polls it on one dedicated connection
/// every few milliseconds. A change means "re-query", not "one new event": a bump can be spurious.
enum DataVersionWatcher {
    static let pollInterval: Duration = .milliseconds(5)

    static func signals(path: String, fallbackPoll: Duration) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let task = Task.detached {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(5)
            let queue: DatabaseQueue
            do {
                queue = try DatabaseQueue(path: path, configuration: config)
            } catch {
                // Without a watcher connection, the fallback poll still wakes consumers.
                while !Task.isCancelled {
                    continuation.yield()
                    try? await Task.sleep(for: fallbackPoll)
                }
                return
            }
            var last: Int64? = nil
            var sinceSignal: Duration = .zero
            while !Task.isCancelled {
                let version = try? queue.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") }
                if let version, version != last {
                    if last != nil { continuation.yield() }
                    last = version
                    sinceSignal = .zero
                } else if sinceSignal >= fallbackPoll {
                    continuation.yield()
                    sinceSignal = .zero
                }
                try? await Task.sleep(for: pollInterval)
                sinceSignal += pollInterval
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
