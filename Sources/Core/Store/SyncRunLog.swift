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
