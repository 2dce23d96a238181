import Synchronization

/// Orders the live path's key and subscription changes against a credential load, so that a
/// listing fetched before a live change is never written over it: the load writes a listing only
/// if no live change was applied since it began fetching it, and fetches it again otherwise.
///
/// (Without it, `apikey.created` applied while the keys listing was in flight vanished when the
/// stale listing replaced the artifact's keys, until the next connection.)
public final class CredentialGate: Sendable {
    private let lock = AsyncLock()
    private let applied = Mutex(0)

    public init() {}

    /// Taken before fetching a listing; passed to ``write(since:_:)``.
    func mark() -> Int { applied.withLock { $0 } }

    /// Applies one live change to keys or subscriptions.
    func apply<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await lock.lock()
        defer {
            applied.withLock { $0 += 1 }
            lock.unlock()
        }
        return try await body()
    }

    /// Writes a listing fetched after `mark`, unless a live change was applied since: false then,
    /// and nothing is written.
    func write(since mark: Int, _ body: () async throws -> Void) async throws -> Bool {
        await lock.lock()
        defer { lock.unlock() }
        guard applied.withLock({ $0 }) == mark else { return false }
        try await body()
        return true
    }
}

/// A lock held across suspension points; waiters get it in arrival order.
final class AsyncLock: Sendable {
    private struct State: ~Copyable {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func lock() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { s in
                if !s.locked {
                    s.locked = true
                    return true
                }
                s.waiters.append(waiter)
                return false
            }
            if acquired { waiter.resume() }
        }
    }

    func unlock() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiters.isEmpty {
                s.locked = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
