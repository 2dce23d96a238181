import Foundation
import Synchronization

/// Hands every event the controller's replica applies to the control socket's event streams, in
/// order. A subscriber that falls `limit` events behind is ended (its client reconnects from its
/// cursor and reads the gap from the store), so a stalled client never holds memory or slows the
/// replica.
public final class HubBroadcast: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<HubEvent>.Continuation]>([:])
    let limit: Int

    public init(limit: Int = 10_000) { self.limit = limit }

    public func publish(_ event: HubEvent) {
        subscribers.withLock { subscribers in
            for (id, continuation) in subscribers {
                if case .dropped = continuation.yield(event) {
                    continuation.finish()
                    subscribers[id] = nil
                }
            }
        }
    }

    /// A stream of the events published from now on; it ends when the subscriber falls behind.
    public func subscribe() -> AsyncStream<HubEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: HubEvent.self, bufferingPolicy: .bufferingOldest(limit))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    public var subscriberCount: Int { subscribers.withLock { $0.count } }
}
