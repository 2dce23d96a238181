/// A server run by a test: in a task of its own, started once it says it accepts.
public enum ServerTask {
    /// Runs `serve` in a task and returns the task once `serve` calls `ready`; throws the error
    /// `serve` ends with before that, or says it ended early. Cancel the task to stop serving.
    public static func start(
        _ what: String, _ serve: @escaping @Sendable (_ ready: @escaping @Sendable () async -> Void) async throws -> Void
    ) async throws -> Task<Void, any Error> {
        let (outcomes, signal) = AsyncStream.makeStream(of: Result<Void, any Error>.self)
        let task = Task {
            defer { signal.finish() }
            do {
                try await serve { signal.yield(.success(())) }
            } catch {
                signal.yield(.failure(error))
                throw error
            }
        }
        for await outcome in outcomes {
            if case .failure(let error) = outcome {
                task.cancel()
                throw error
            }
            return task
        }
        throw HarnessError.process("\(what) stopped before it accepted")
    }
}
