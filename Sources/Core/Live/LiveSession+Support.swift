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

/// Runs `heal` once, `delay` after the first request; requests while one is pending join it.
/// When `heal` returns true (work left), another heal follows.
actor HealScheduler {
    private let delay: Duration
    private let heal: @Sendable () async -> Bool
    private var pending: Task<Void, Never>?

    init(delay: Duration, heal: @escaping @Sendable () async -> Bool) {
        self.delay = delay
        self.heal = heal
    }

    func request() {
        guard pending == nil else { return }
        pending = Task {
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            self.started()
            if await heal(), !Task.isCancelled { self.request() }
        }
    }

    func cancel() { pending?.cancel() }

    private func started() { pending = nil }
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
