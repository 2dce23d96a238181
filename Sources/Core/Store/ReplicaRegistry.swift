/// Replica heartbeats, cursors and lag history.
public protocol ReplicaRegistry: Sendable {
    /// Inserts the replica or marks an existing one restarted; returns the row (with its cursor).
    func registerReplica(id: String, host: String, pid: Int32) async throws -> ReplicaRecord
    func heartbeat(id: String, appliedSeq: Int64, appliedAt: Timestamp?, state: ReplicaState, resyncs: Int) async throws
    func replicas() async throws -> [ReplicaRecord]
    /// Records a sample and drops this replica's samples older than `keepAfter`.
    func recordLagSample(_ sample: LagSample, keepAfter: Timestamp) async throws
    func lagSamples(since: Timestamp) async throws -> [LagSample]
    func removeReplica(id: String) async throws
}
