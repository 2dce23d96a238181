import Core
import Synchronization

/// Detail of one artifact, loaded on demand.
struct DetailData: Sendable {
    var uuid: String
    var content: String?
    var events: [HubEvent]
    var history: [OrphanReview]
}

/// Where async tasks leave data for the UI thread: the newest snapshot wins; flashes queue.
final class ConsoleInbox: Sendable {
    private struct Box {
        var data: ConsoleData?
        var detail: DetailData?
        var flashes: [Flash] = []
        var version = 0
    }

    private let box = Mutex(Box())

    func post(_ data: ConsoleData) { box.withLock { $0.data = data; $0.version += 1 } }
    func post(_ detail: DetailData) { box.withLock { $0.detail = detail; $0.version += 1 } }
    func post(_ flash: Flash) { box.withLock { $0.flashes.append(flash); $0.version += 1 } }

    /// Takes what arrived since the last call.
    func take() -> (data: ConsoleData?, detail: DetailData?, flashes: [Flash]) {
        box.withLock { b in
            defer {
                b.data = nil
                b.detail = nil
                b.flashes = []
            }
            return (b.data, b.detail, b.flashes)
        }
    }
}

/// A flag set once from any thread (a signal handler) and polled by the UI loop.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
