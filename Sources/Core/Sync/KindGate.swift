import Synchronization

/// Orders batch applies by kind while their fetches overlap: a batch may apply only once every
/// batch of the kinds before it in `ArtifactKind.fetchOrder` has been applied or given up. So
/// LlmProxy rows are never written before the LlmProvider rows they name, yet the next kind's
/// archives are already downloading while the previous kind is being written.
final class KindGate: Sendable {
    private struct State {
        var remaining: [ArtifactKind: Int] = [:]
        var waiters: [(kind: ArtifactKind, continuation: CheckedContinuation<Void, Never>)] = []
        var abandoned = false

        func isOpen(for kind: ArtifactKind) -> Bool {
            ArtifactKind.fetchOrder.prefix { $0 != kind }.allSatisfy { remaining[$0, default: 0] == 0 }
        }
    }

    private let state: Mutex<State>

    init(batchKinds: [ArtifactKind]) {
        var s = State()
        for kind in batchKinds { s.remaining[kind, default: 0] += 1 }
        state = Mutex(s)
    }

    /// Returns once `kind` may apply; throws `CancellationError` when the run was abandoned.
    func waitForEarlierKinds(of kind: ArtifactKind) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s in
                if s.abandoned || s.isOpen(for: kind) { return true }
                s.waiters.append((kind, continuation))
                return false
            }
            if now { continuation.resume() }
        }
        if state.withLock({ $0.abandoned }) { throw CancellationError() }
    }

    /// One batch of `kind` was applied, or failed and was reported.
    func finished(_ kind: ArtifactKind) {
        let ready = state.withLock { s in
            s.remaining[kind, default: 1] -= 1
            var ready: [(kind: ArtifactKind, continuation: CheckedContinuation<Void, Never>)] = []
            var waiting: [(kind: ArtifactKind, continuation: CheckedContinuation<Void, Never>)] = []
            for waiter in s.waiters {
                if s.isOpen(for: waiter.kind) { ready.append(waiter) } else { waiting.append(waiter) }
            }
            s.waiters = waiting
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// The run stops (a store failure or cancellation): every waiting batch returns and throws.
    func abandon() {
        let waiting = state.withLock { s in
            s.abandoned = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for waiter in waiting { waiter.continuation.resume() }
    }
}
