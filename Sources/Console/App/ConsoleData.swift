import Core

/// Whether an artifact matches the platform.
enum SyncStatus: Sendable, Equatable {
    case inSync
    case outOfSync
    case pendingDeletion
    case retained
    /// The platform has not been listed (yet, or it is unreachable).
    case unknown
}

/// One row of the artifacts view.
struct ArtifactRow: Sendable, Equatable {
    var summary: ArtifactSummary
    var sync: SyncStatus
    var keys: Int
}

/// What a row calls an artifact: its kind and name (the UUID belongs in the detail).
struct ArtifactName: Sendable, Equatable {
    var kind: ArtifactKind
    var name: String

    /// `REST petstore-api-7`, with the kind's table label.
    var label: String { "\(kind.label) \(name)" }
}

/// What the header shows about where the console is pointed.
struct HeaderInfo: Sendable, Equatable {
    var gateway = ""
    var platformURL = ""
    /// nil until the platform was asked once.
    var platformReachable: Bool?
    var backend = ""
    var location = ""
    var operatorName = ""
    /// Hides and refuses actions: a read-only session, or a viewer.
    var readonly = false
    /// The role the controller gave this console through its socket; nil for a direct session.
    var role: Role?
    /// Why actions are disabled when the role is the reason (a viewer).
    var roleRefusal: String?

    /// `OPERATOR` / `VIEWER` through the socket (`RO` for an operator's read-only session),
    /// `RW` / `RO` directly on the store.
    var badge: String {
        switch role {
        case .viewer?: "VIEWER"
        case .operator?: readonly ? "RO" : "OPERATOR"
        case nil: readonly ? "RO" : "RW"
        }
    }

    /// The header of a console on `service` for `caller`.
    init(gateway: String, platformURL: String, origin: ServiceOrigin, caller: Caller, readonly: Bool) {
        self.gateway = gateway
        self.platformURL = platformURL
        switch origin {
        case .socket(let path):
            backend = "controller"
            location = path
            role = caller.role
            roleRefusal = caller.role == .viewer ? caller.actionRefusal : nil
        case .store(let backendName, let path): backend = backendName; location = path
        }
        operatorName = caller.user
        self.readonly = readonly || caller.role == .viewer
    }

    init(
        gateway: String = "", platformURL: String = "", platformReachable: Bool? = nil, backend: String = "", location: String = "",
        operatorName: String = "", readonly: Bool = false
    ) {
        self.gateway = gateway
        self.platformURL = platformURL
        self.platformReachable = platformReachable
        self.backend = backend
        self.location = location
        self.operatorName = operatorName
        self.readonly = readonly
    }
}

/// A snapshot of everything the console shows, read from the store (and the platform listing).
/// Views only ever see this value.
struct ConsoleData: Sendable, Equatable {
    var header = HeaderInfo()
    /// When the snapshot was read; the header shows its age.
    var loadedAt: Timestamp?
    var artifacts: [ArtifactRow] = []
    /// Bumped whenever `artifacts` is rebuilt, so the UI re-filters 100,000 rows only then.
    var artifactsVersion = 0
    var counts = ArtifactCounts()
    var replicas: [LagReport] = []
    var replicaRecords: [String: ReplicaRecord] = [:]
    /// Lag history per replica for the trend sparklines, oldest first.
    var lagHistory: [String: [LagSample]] = [:]
    var hub = HubPosition(headSeq: 0, oldestSeq: 1)
    var reviews: [OrphanReview] = []
    var runs: [SyncRunRecord] = []
    /// The newest events of the hub, newest first.
    var events: [HubEvent] = []
    /// The artifact each event is about, by `entityId`: the stored artifact, else (deleted) the
    /// one the event carries. Absent when neither is known: the row then shows the UUID.
    var eventArtifacts: [String: ArtifactName] = [:]
    /// The plan preview asked for with `S`.
    var plan: PlanState = .none

    var fleetStatus: LagStatus { LagEvaluator.fleetStatus(replicas) }
    var pendingReviews: [OrphanReview] { reviews.filter { $0.status == .pending } }
    /// Counted when the rows are built, not per frame.
    var inSyncCount = 0
    var outOfSyncCount = 0
}

/// The state of the sync plan preview.
enum PlanState: Sendable, Equatable {
    case none
    case loading
    case ready(SyncPreview)
    case failed(String)
}
