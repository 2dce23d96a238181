/// Lifecycle state a replica reports about itself.
public enum ReplicaState: String, Sendable, Codable, Hashable {
    case starting
    case running
    case reloading
    case stopped
}

/// One controller replica's row: heartbeat and applied cursor.
public struct ReplicaRecord: Sendable, Codable, Equatable {
    public var replicaId: String
    public var gatewayId: String
    public var host: String
    public var pid: Int32
    public var startedAt: Timestamp
    public var heartbeatAt: Timestamp
    public var appliedSeq: Int64
    public var appliedAt: Timestamp?
    public var state: ReplicaState
    public var resyncs: Int

    public init(
        replicaId: String, gatewayId: String, host: String, pid: Int32, startedAt: Timestamp,
        heartbeatAt: Timestamp, appliedSeq: Int64, appliedAt: Timestamp?, state: ReplicaState, resyncs: Int
    ) {
        self.replicaId = replicaId
        self.gatewayId = gatewayId
        self.host = host
        self.pid = pid
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.appliedSeq = appliedSeq
        self.appliedAt = appliedAt
        self.state = state
        self.resyncs = resyncs
    }
}

/// A point of a replica's lag history, used for trends and the STALL/WARN windows.
public struct LagSample: Sendable, Codable, Equatable {
    public var replicaId: String
    public var sampledAt: Timestamp
    public var headSeq: Int64
    public var appliedSeq: Int64
    public var lagSeconds: Double

    public init(replicaId: String, sampledAt: Timestamp, headSeq: Int64, appliedSeq: Int64, lagSeconds: Double) {
        self.replicaId = replicaId
        self.sampledAt = sampledAt
        self.headSeq = headSeq
        self.appliedSeq = appliedSeq
        self.lagSeconds = lagSeconds
    }

    public var lagEvents: Int64 { max(0, headSeq - appliedSeq) }
}
