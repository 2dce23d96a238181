import Foundation
internal import GRDB
import Synchronization

/// Wakes consumers when another connection (in any process) commits to the database.
///
/// `PRAGMA data_version` is per connection, so the watcher polls it on one dedicated connection
/// every few milliseconds, on its own thread (the call is blocking and must not occupy the
/// concurrency pool). A change means "re-query", not "one new event": a bump can be spurious.
enum DataVersionWatcher {
    static let pollInterval = 0.005

    private final class StopFlag: Sendable {
        let stopped = Atomic<Bool>(false)
    }

    static func signals(path: String, fallbackPoll: Duration) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let flag = StopFlag()
        continuation.onTermination = { _ in flag.stopped.store(true, ordering: .relaxed) }
        let thread = Thread {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(5)
            let queue = try? DatabaseQueue(path: path, configuration: config)
            let fallback = fallbackPoll.seconds
            var last: Int64? = nil
            var sinceSignal = 0.0
            while !flag.stopped.load(ordering: .relaxed) {
                // Without a watcher connection, the fallback poll still wakes consumers.
                let version = try? queue?.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") }
                if let version, version != last {
                    if last != nil { continuation.yield() }
                    last = version
                    sinceSignal = 0
                } else if sinceSignal >= fallback {
                    continuation.yield()
                    sinceSignal = 0
                }
                Thread.sleep(forTimeInterval: pollInterval)
                sinceSignal += pollInterval
            }
        }
        thread.name = "gwops-data-version"
        thread.start()
        return stream
    }
}
