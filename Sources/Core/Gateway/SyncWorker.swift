import Synchronization

/// Runs the syncs a caller starts and does not wait for (a console's `y`, `gwops sync` through
/// the control socket): they belong to the controller that runs this worker, not to the request
/// that asked, so a client that disconnects does not stop its sync. When the worker stops (the
/// controller shuts down), every sync it runs is cancelled and closes its run record before
/// `run` returns.
public final class SyncWorker: Sendable {
    private let jobs: AsyncStream<@Sendable () async -> Void>
    private let submit: AsyncStream<@Sendable () async -> Void>.Continuation
    private let running = Atomic<Bool>(false)

    public init() {
        (jobs, submit) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
    }

    /// Runs submitted jobs, each in a child task, until cancelled; then waits for them to end.
    /// Call once.
    public func run() async {
        guard running.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        await withDiscardingTaskGroup { group in
            for await job in jobs {
                group.addTask { await job() }
            }
        }
    }

    /// Hands `job` to the running worker; false once it stopped (nothing was started).
    func start(_ job: @escaping @Sendable () async -> Void) -> Bool {
        if case .terminated = submit.yield(job) { return false }
        return true
    }

    /// Stops taking jobs; `run` returns once those it runs have ended.
    public func finish() { submit.finish() }
}
