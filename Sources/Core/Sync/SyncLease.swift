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

    /// What renewing the lease found.
    enum Renewal: Equatable, CustomStringConvertible {
        case renewed
        /// Another holder has it (taken over after it expired: this process was paused).
        case notHeld
        /// The store could not be asked (unreachable, locked): nothing is known.
        case failed(String)

        var description: String {
            switch self {
            case .renewed: "renewed"
            case .notHeld: "held by another"
            case .failed(let why): why
            }
        }
    }

    enum RenewalDecision: Equatable {
        /// Still this run's.
        case held
        /// Unknown, but renewed less than a time to live ago: nobody can have taken it yet.
        case retry
        /// Stop the run, for this reason.
        case lost(String)
    }

    /// What a renewal attempt means for the run, `sinceRenewed` after the last one that worked.
    /// A failure is never taken for success: once a whole `ttl` passed without a renewal the
    /// lease may have expired and been taken over, so the run stops rather than risk two syncs.
    static func afterRenewal(_ attempt: Renewal, sinceRenewed: Duration, ttl: Duration) -> RenewalDecision {
        switch attempt {
        case .renewed:
            return .held
        case .notHeld:
            return .lost("the single-flight lease was lost: another sync took it over (was this process paused?); this run stopped")
        case .failed(let why):
            guard sinceRenewed < ttl else {
                return .lost("the single-flight lease was lost: it could not be renewed for \(Format.seconds(sinceRenewed.seconds)) (\(why)); "
                    + "another sync may have taken it over, so this run stopped")
            }
            return .retry
        }
    }
}
