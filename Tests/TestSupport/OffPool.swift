import Foundation

/// Blocking work (child processes such as initdb and openssl, polling sleeps) run on a thread of
/// its own. Swift's cooperative pool has one thread per core (two here): a test blocking them
/// stalls every other test in the process, simulators included (syncs that take 0.5 s were seen
/// to take 12 s while a cluster and its certificates were made on the pool).
public enum OffPool {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
