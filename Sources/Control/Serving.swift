/// Starting a server in a task of its own and knowing whether it serves: what the control socket
/// and the metrics endpoint share.
enum Serving {
    /// Runs `serve` in a task; returns the task once `serve` reports itself ready (`ready(nil)`),
    /// or throws the problem it reports, or the error it stops with, or `stoppedEarly`. Cancel
    /// the task to stop serving.
    static func start(
        stoppedEarly: @autoclosure () -> ControlSocketError,
        _ serve: @escaping @Sendable (_ ready: @escaping @Sendable (ControlSocketError?) async -> Void) async throws -> Void
    ) async throws -> Task<Void, any Error> {
        let (outcomes, signal) = AsyncStream.makeStream(of: Result<Void, any Error>.self)
        let task = Task {
            defer { signal.finish() }
            do {
                try await serve { problem in signal.yield(problem.map { .failure($0) } ?? .success(())) }
            } catch {
                signal.yield(.failure(error))
                throw error
            }
        }
        for await outcome in outcomes {
            do {
                try outcome.get()
            } catch {
                task.cancel()
                throw error
            }
            return task
        }
        throw stoppedEarly()
    }
}
