import Core
import Synchronization

/// Follows a gateway's event hub through its `GatewayService` as a replica follows the store:
/// an `EventSubscription` delivers contiguous batches after a cursor, or `.lost` when events were
/// pruned before they were read. Where the service pushes events (the controller's socket), they
/// feed the subscription without a round trip (`ServiceHub`); the pushed events are only a
/// shortcut: whatever the stream misses is read with `events(after:)`.
final class HubFollower: Sendable {
    let service: any GatewayService
    /// What retries of the pushed stream wait on.
    let clock: any Clock<Duration>
    private let feed: ServiceHub
    private let wakeups = Wakeups()
    /// Why the pushed stream was given up for good, once (the subscription reads on without it).
    private let streamProblem = Mutex<String?>(nil)
    static let batchSize = 5000

    /// How the pushed stream is reopened after it ended or failed.
    static let retry = Backoff(initial: .milliseconds(250), maximum: .seconds(5), jitter: 0.8...1.2)

    init(service: any GatewayService, clock: any Clock<Duration> = ContinuousClock()) {
        self.service = service
        self.clock = clock
        feed = ServiceHub(service: service)
    }

    /// Makes the subscription read now (a refresh, or an action that changed something).
    func wake() { wakeups.signal() }

    /// Why the pushed stream stopped for good, the first time it is asked (then nil).
    func takeStreamProblem() -> String? { streamProblem.withLock { p in defer { p = nil }; return p } }

    /// Hands `deliver` every delivery after `cursor` until it returns false (the caller reloads
    /// and follows again from the new cursor) or the task is cancelled; throws when the service
    /// cannot be read.
    func follow(after cursor: Int64, deliver: (HubDelivery) async -> Bool) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.relay(from: cursor) }
            let subscription = EventSubscription(source: feed, after: cursor, batchSize: Self.batchSize) { [wakeups] in
                wakeups.stream()
            }
            for try await delivery in subscription where await !deliver(delivery) { break }
            group.cancelAll()
        }
    }

    /// Hands what the service pushes to the subscription's source and wakes it, from `cursor`
    /// and then from where the subscription has read. A stream that ends or fails is opened
    /// again with backoff (a controller restarting); one the service refuses, or does not have
    /// (an older controller: 404), would be refused again, so it is given up, said once, and the
    /// subscription reads the service on every wake instead.
    private func relay(from cursor: Int64) async {
        var backoff = Self.retry
        var from = cursor
        while !Task.isCancelled {
            guard let stream = service.follow(after: from) else { return }
            feed.streamRestarted()
            do {
                for try await batch in stream {
                    feed.pushed(batch)
                    wakeups.signal()
                    backoff.reset()
                }
            } catch where Task.isCancelled {
                return
            } catch {
                if let reason = Self.permanentRefusal(error) {
                    feed.streamRestarted()
                    streamProblem.withLock { $0 = "the gateway does not stream its events (\(reason)); they are read every refresh" }
                    wakeups.signal()
                    return
                }
            }
            feed.streamRestarted()
            await backoff.wait(on: clock)
            from = feed.delivered
        }
    }

    /// A refusal that a retry would meet again, in words; nil for a failure worth retrying.
    static func permanentRefusal(_ error: any Error) -> String? {
        if let refused = error as? ActionRefused { return refused.reason }
        if let status = (error as? any AnsweredError)?.status, status == 403 || status == 404 || status == 405 {
            return "HTTP \(status)"
        }
        return nil
    }
}

/// Wakes the hub subscription of the moment: each subscription takes a fresh stream, and a signal
/// goes to the newest one (at most one kept while it is busy).
final class Wakeups: Sendable {
    private let current = Mutex<AsyncStream<Void>.Continuation?>(nil)

    func stream() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        current.withLock { $0?.finish(); $0 = continuation }
        return stream
    }

    func signal() { _ = current.withLock { $0?.yield() } }
}
