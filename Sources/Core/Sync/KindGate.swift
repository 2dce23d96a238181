/// Orders batch applies by kind while their fetches overlap: a batch may apply only once every
/// batch of the kinds before it in `ArtifactKind.fetchOrder` has been applied or given up. So
/// LlmProxy rows are never written before the LlmProvider rows they name, yet the next kind's
/// archives are already downloading while the previous kind is being written.
actor KindGate {
    private var remaining: [ArtifactKind: Int] = [:]
    private var waiters: [(kind: ArtifactKind, continuation: CheckedContinuation<Void, Never>)] = []
    private var abandoned = false

    init(batchKinds: [ArtifactKind]) {
        for kind in batchKinds { remaining[kind, default: 0] += 1 }
    }

    /// Returns once `kind` may apply; throws `CancellationError` when the run was abandoned.
    func waitForEarlierKinds(of kind: ArtifactKind) async throws {
        if !abandoned, !isOpen(for: kind) {
            await withCheckedContinuation { waiters.append((kind, $0)) }
        }
        if abandoned { throw CancellationError() }
    }

    /// One batch of `kind` was applied, or failed and was reported.
    func finished(_ kind: ArtifactKind) {
        remaining[kind, default: 1] -= 1
        let ready = waiters.filter { isOpen(for: $0.kind) }
        waiters.removeAll { isOpen(for: $0.kind) }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// The run stops (a store failure or cancellation): every waiting batch returns and throws.
    func abandon() {
        abandoned = true
        for waiter in waiters { waiter.continuation.resume() }
        waiters.removeAll()
    }

    private func isOpen(for kind: ArtifactKind) -> Bool {
        ArtifactKind.fetchOrder.prefix { $0 != kind }.allSatisfy { remaining[$0, default: 0] == 0 }
    }
}
