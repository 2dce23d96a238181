/// Why a sync did not run or could not finish.
public enum SyncError: Error, Equatable, CustomStringConvertible {
    /// Another sync holds the single-flight lease.
    case busy(holder: String, runId: Int64?)
    /// The run failed; it is recorded in `sync_runs` with this reason.
    case failed(runId: Int64, reason: String)

    public var description: String {
        switch self {
        case .busy(let holder, let runId):
            "a sync is already running\(runId.map { " (run #\($0))" } ?? "") on \(holder); try again when it finishes"
        case .failed(let runId, let reason):
            "sync run #\(runId) failed: \(reason)"
        }
    }
}
