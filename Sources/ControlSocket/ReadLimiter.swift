import Synchronization

/// At most `limit` expensive reads (dashboards, snapshots, plans) run at once; the others wait
/// their turn. A burst of clients, or one asking back to back, then takes at most that much of
/// the controller's CPU from the replica applying the hub.
final class ReadLimiter: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func run<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await work()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { s in
                if s.running < limit {
                    s.running += 1
                    return true
                }
                s.waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiting.isEmpty {
                s.running -= 1
                return nil
            }
            return s.waiting.removeFirst()  // the slot passes to the next in line
        }
        next?.resume()
    }
}
