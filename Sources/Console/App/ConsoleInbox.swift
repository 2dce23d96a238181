import Core
import Synchronization

/// Detail of one artifact, loaded on demand.
package struct DetailData: Sendable {
    var uuid: String
    var content: String?
    var events: [HubEvent]
    var history: [OrphanReview]
    var keys: [APIKeyRecord] = []
    var subscriptions: [SubscriptionRecord] = []
}

/// Where async tasks leave data for the UI thread: the newest snapshot wins; flashes queue.
package final class ConsoleInbox: Sendable {
    private struct Box {
        var data: ConsoleData?
        var detail: DetailData?
        var flashes: [Flash] = []
        var loadedAt: Timestamp?
    }

    private let box = Mutex(Box())

    package init() {}

    func post(_ data: ConsoleData) { box.withLock { $0.data = data; $0.loadedAt = nil } }
    func post(_ detail: DetailData) { box.withLock { $0.detail = detail } }
    func post(_ flash: Flash) { box.withLock { $0.flashes.append(flash) } }
    /// Nothing changed, but the data was read again at `time` (the header's data age).
    func post(loadedAt time: Timestamp) { box.withLock { $0.loadedAt = time } }

    /// Takes what arrived since the last call.
    package func take() -> (data: ConsoleData?, detail: DetailData?, flashes: [Flash], loadedAt: Timestamp?) {
        box.withLock { b in
            defer {
                b.data = nil
                b.detail = nil
                b.flashes = []
                b.loadedAt = nil
            }
            return (b.data, b.detail, b.flashes, b.loadedAt)
        }
    }
}

/// A flag set once from any thread (a signal handler) and polled by the UI loop.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
