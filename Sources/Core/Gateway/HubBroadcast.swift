import Foundation
import Synchronization

/// Hands every event the controller's replica applies to the control socket's event streams, in
/// order. A subscriber that falls `limit` deliveries behind is ended (its client reconnects from
/// its cursor and reads the gap from the store), so a stalled client never holds more than that
/// in memory, nor slows the replica.
public final class HubBroadcast: Sendable {
    /// What a subscriber receives: an event, or word that `keepAlive` passed (so a stream can
    /// show it is alive while nothing happens).
    public enum Delivery: Sendable {
        case event(SharedEvent)
        case tick
    }

    private let subscribers = Mutex<[UUID: AsyncStream<Delivery>.Continuation]?>([:])
    let limit: Int
    /// What keep-alive ticks are measured on (a test clock in tests).
    let clock: any Clock<Duration>

    public init(limit: Int = 10_000, clock: any Clock<Duration> = ContinuousClock()) {
        self.limit = limit
        self.clock = clock
    }

    public func publish(_ event: HubEvent) {
        let shared = SharedEvent(event)
        let behind = subscribers.withLock { subscribers in
            var behind: [AsyncStream<Delivery>.Continuation] = []
            for (id, continuation) in subscribers ?? [:] {
                if case .dropped = continuation.yield(.event(shared)) {
                    behind.append(continuation)
                    subscribers?[id] = nil
                }
            }
            return behind
        }
        // Outside the lock: finishing runs the stream's termination handler, which takes it.
        for continuation in behind { continuation.finish() }
    }

    /// The events published from now on, with a tick every `keepAlive` when given; the stream
    /// ends when the subscriber falls `limit` deliveries behind.
    public func subscribe(keepAlive: Duration? = nil) -> AsyncStream<Delivery> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: Delivery.self, bufferingPolicy: .bufferingOldest(limit))
        let ticker = keepAlive.map { interval in
            // Owned by the stream: cancelled when it terminates.
            Task { [weak self, clock] in
                while !Task.isCancelled {
                    try? await clock.sleep(for: interval)
                    if Task.isCancelled { break }
                    if case .dropped = continuation.yield(.tick) {
                        _ = self?.subscribers.withLock { $0?.removeValue(forKey: id) }
                        continuation.finish()
                    }
                }
            }
        }
        continuation.onTermination = { [weak self] _ in
            ticker?.cancel()
            _ = self?.subscribers.withLock { $0?.removeValue(forKey: id) }
        }
        let open = subscribers.withLock { subscribers in
            subscribers?[id] = continuation
            return subscribers != nil
        }
        if !open { continuation.finish() }
        return stream
    }

    /// Ends every subscriber's stream, and those subscribed later at once: the controller is
    /// stopping (its clients follow again from their cursors, from whichever controller serves).
    public func close() {
        let open = subscribers.withLock { subscribers in
            defer { subscribers = nil }
            return subscribers.map { Array($0.values) } ?? []
        }
        for continuation in open { continuation.finish() }
    }

    public var subscriberCount: Int { subscribers.withLock { $0?.count ?? 0 } }
}

/// An applied event as every subscriber gets it: its wire form is made once, by the first stream
/// that writes it, and shared by the others (64 consoles do not encode each event 64 times).
public final class SharedEvent: Sendable {
    public let event: HubEvent
    private let wire = Mutex<Data?>(nil)

    init(_ event: HubEvent) { self.event = event }

    /// The event's wire form: made by `encode` the first time, the same bytes afterwards.
    public func wireForm(_ encode: (HubEvent) throws -> Data) throws -> Data {
        if let made = wire.withLock({ $0 }) { return made }
        let made = try encode(event)
        return wire.withLock { stored in
            if let stored { return stored }
            stored = made
            return made
        }
    }
}
