/// The single-flight lease as one rule for every backend: the stores read the lease row (locked)
/// and the database clock, and write what this decides.
enum SyncLease {
    /// The lease row as stored; an empty `holder` is a free lease.
    struct Row: Equatable {
        var holder: String
        var host: String
        var pid: Int32
        var runId: Int64?
        var expiresAt: Timestamp
    }

    enum Decision: Equatable {
        /// Someone else holds it: described as "host pid N", with their run.
        case busy(holder: String, runId: Int64?)
        /// Free to take; the run of an expired or dead holder is closed as abandoned first.
        case take(abandoning: Int64?)
    }

    /// A lease is taken over when it is free, expired at `now`, or held by a process that is no
    /// longer alive on the claimant's own host (`isAlive` can only see this host's processes).
    static func decide(_ lease: Row?, now: Timestamp, claimantHost: String, isAlive: (Int32) -> Bool) -> Decision {
        guard let lease, !lease.holder.isEmpty else { return .take(abandoning: nil) }
        let expired = lease.expiresAt <= now
        let holderDied = lease.host == claimantHost && !isAlive(lease.pid)
        if expired || holderDied { return .take(abandoning: lease.runId) }
        return .busy(holder: "\(lease.host.split(separator: "/").first ?? "?") pid \(lease.pid)", runId: lease.runId)
    }
}
