/// A replica's health as the console shows it (DESIGN §4, UX "Replica lag").
public enum LagStatus: String, Sendable, Codable, Comparable, CaseIterable {
    case ok = "OK"
    case warming = "WARMING"
    case warn = "WARN"
    case stall = "STALL"
    case gone = "GONE"
    case down = "DOWN"

    /// Badness, for "the fleet status is the worst replica".
    var severity: Int {
        switch self {
        case .ok: 0
        case .warming: 1
        case .warn: 2
        case .stall: 3
        case .gone: 4
        case .down: 5
        }
    }

    public static func < (lhs: LagStatus, rhs: LagStatus) -> Bool { lhs.severity < rhs.severity }
}

/// Thresholds for lag status (`[lag]` and `[eventhub] retention`).
public struct LagThresholds: Sendable, Equatable {
    public var heartbeatTimeout: Duration = .seconds(15)
    public var window: Duration = .seconds(30)
    public var warnEvents: Int64 = 1000
    /// Time lag above this is a warning (nil: no time threshold).
    public var warnTimeLag: Duration?
    public var retention: Duration = .seconds(86_400)
    /// Headroom below this fraction of retention is a warning.
    public var headroomWarnFraction = 0.2

    public init() {}
}

/// What the lag evaluation needs to know about one replica, read together.
public struct LagInput: Sendable, Equatable {
    public var replica: ReplicaRecord
    public var position: HubPosition
    /// `processedAt` of the first event after the replica's cursor (nil when caught up or pruned).
    public var firstUnappliedAt: Timestamp?
    /// This replica's samples, oldest first.
    public var samples: [LagSample]
    public var now: Timestamp

    public init(replica: ReplicaRecord, position: HubPosition, firstUnappliedAt: Timestamp?, samples: [LagSample], now: Timestamp) {
        self.replica = replica
        self.position = position
        self.firstUnappliedAt = firstUnappliedAt
        self.samples = samples
        self.now = now
    }
}

/// The evaluated lag of one replica.
public struct LagReport: Sendable, Codable, Equatable {
    public var replicaId: String
    public var status: LagStatus
    /// One line saying why, for every non-OK status.
    public var reason: String?
    public var lagEvents: Int64
    public var lagSeconds: Double
    /// Fraction of the retention still ahead of the cursor's oldest unapplied event (1 = all).
    public var headroom: Double
    public var heartbeatAge: Double
    /// The cursor the evaluation saw.
    public var appliedSeq: Int64

    public init(
        replicaId: String, status: LagStatus, reason: String?, lagEvents: Int64, lagSeconds: Double, headroom: Double,
        heartbeatAge: Double, appliedSeq: Int64 = 0
    ) {
        self.replicaId = replicaId
        self.status = status
        self.reason = reason
        self.lagEvents = lagEvents
        self.lagSeconds = lagSeconds
        self.headroom = headroom
        self.heartbeatAge = heartbeatAge
        self.appliedSeq = appliedSeq
    }
}
