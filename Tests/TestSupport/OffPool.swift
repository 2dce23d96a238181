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

    /// Seconds of CPU (a differential or property test) on a thread of its own at the lowest
    /// priority, so that the tests waiting on servers and sessions beside it are not starved:
    /// on two cores, a 30 s CPU-bound test at normal priority made 20 s liveness waits expire.
    public static func runInBackground<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await run {
            #if os(Linux)
                // Linux nices threads one by one: this thread's id is the last part of /proc/thread-self.
                if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"),
                    let tid = link.split(separator: "/").last.flatMap({ id_t($0) })
                {
                    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, 19)
                }
            #endif
            return try work()
        }
    }
}
