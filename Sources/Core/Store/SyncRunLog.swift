/// Who holds (or wants) the single-flight sync lease.
public struct SyncLeaseHolder: Sendable, Equatable {
    public var token: String
    public var host: String
    public var pid: Int32

    public init(token: String, host: String, pid: Int32) {
        self.token = token
        self.host = host
        self.pid = pid
    }
}

/// Result of asking to start a sync run.
public enum SyncStart: Sendable, Equatable {
    case started(runId: Int64)
    /// Another sync holds the lease.
    case busy(holder: String, runId: Int64?)
}

/// Sync runs, their progress, and the single-flight lease.
public protocol SyncRunLog: Sendable {
    /// Takes the lease (or finds it held) and opens a run row, in one transaction. A lease whose
    /// holder expired, or died on this host, is taken over and its run marked abandoned.
    func beginSyncRun(trigger: SyncTrigger, requestedBy: String, holder: SyncLeaseHolder, ttl: Duration) async throws -> SyncStart
    /// Extends the lease; false when it was lost.
    func renewSyncLease(holder: SyncLeaseHolder, ttl: Duration) async throws -> Bool
    func updateSyncRun(id: Int64, phase: SyncPhase, counters: SyncCounters, errors: [String]) async throws
    /// Closes the run and releases the lease.
    func finishSyncRun(id: Int64, outcome: SyncOutcome, counters: SyncCounters, errors: [String], holder: SyncLeaseHolder) async throws
    /// Drops the lease whoever holds it (an operator clearing a stuck lease); a sync that still
    /// runs notices at its next renewal and stops. Returns whether there was one.
    func breakSyncLease() async throws -> Bool
    func syncRuns(limit: Int) async throws -> [SyncRunRecord]
    func syncRun(id: Int64) async throws -> SyncRunRecord?
}

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
