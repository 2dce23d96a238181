import Foundation
import Logging
import Synchronization

/// A flag set from inside the connection handler.
final class ManagedFlag: @unchecked Sendable {
    // @unchecked: set once by the handler, read after it returned; the lock orders both.
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Events received on a connection and not applied yet.
final class LiveBacklog: Sendable {
    private let count = Atomic<Int>(0)

    /// One more received; returns how many wait now.
    func received() -> Int { count.add(1, ordering: .relaxed).newValue }

    func applied() { count.subtract(1, ordering: .relaxed) }
}

/// Runs `heal` once, `delay` after the first request; requests while one is pending join it.
/// When `heal` returns true (work left), another heal follows. The heals run in `run`, a child
/// task of the connection, and end with it.
final class HealScheduler: Sendable {
    private let delay: Duration
    private let clock: any Clock<Duration>
    private let heal: @Sendable () async -> Bool
    /// A heal is asked for and has not started yet.
    private let pending = Mutex(false)
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(delay: Duration, clock: any Clock<Duration>, heal: @escaping @Sendable () async -> Bool) {
        self.delay = delay
        self.clock = clock
        self.heal = heal
        (wakes, wake) = AsyncStream.makeStream(of: Void.self)
    }

    func request() {
        let first = pending.withLock { pending in
            defer { pending = true }
            return !pending
        }
        if first { wake.yield() }
    }

    /// Heals as asked until cancelled. Call once.
    func run() async {
        for await _ in wakes {
            do { try await clock.sleep(for: delay) } catch { return }
            pending.withLock { $0 = false }
            if await heal(), !Task.isCancelled { request() }
        }
    }
}

/// What one connection received, by event type: logged when it ends (ignored events included,
/// so a platform sending something new shows up without being an error).
final class LiveCounters: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func count(_ event: LiveEvent) {
        let type: String =
            switch event {
            case .deployed(let a): "\(a.kind.resourceType).deployed"
            case .undeployed(let a): "\(a.kind.resourceType).undeployed"
            case .deleted(let kind, _): "\(kind.resourceType).deleted"
            case .apiKeyCreated: "apikey.created"
            case .apiKeyUpdated: "apikey.updated"
            case .apiKeyRevoked: "apikey.revoked"
            case .subscriptionUpserted: "subscription.upserted"
            case .subscriptionDeleted: "subscription.deleted"
            case .ignored(let type): "ignored " + type
            case .platformError: "error"
            case .connectionAck: "connection.ack"
            }
        counts.withLock { $0[type, default: 0] += 1 }
    }

    var metadata: Logger.Metadata {
        counts.withLock { counts in
            ["events": "\(counts.values.reduce(0, +))", "by_type": "\(counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"]
        }
    }
}
