import Core

/// Whether an artifact matches the platform.
package enum SyncStatus: Sendable, Equatable {
    case inSync
    case outOfSync
    case pendingDeletion
    case retained
    /// The platform has not been listed (yet, or it is unreachable).
    case unknown
}

/// One row of the artifacts view.
package struct ArtifactRow: Sendable, Equatable {
    package var summary: ArtifactSummary
    package var sync: SyncStatus
    package var keys: Int

    package init(summary: ArtifactSummary, sync: SyncStatus, keys: Int) {
        self.summary = summary
        self.sync = sync
        self.keys = keys
    }
}

/// What a row calls an artifact: its kind and name (the UUID belongs in the detail).
package struct ArtifactName: Sendable, Equatable {
    package var kind: ArtifactKind
    package var name: String

    /// `REST petstore-api-7`, with the kind's table label.
    package var label: String { "\(kind.label) \(name)" }
}

/// What the header shows about where the console is pointed.
package struct HeaderInfo: Sendable, Equatable {
    package var gateway = ""
    package var platformURL = ""
    /// nil until the platform was asked once.
    package var platformReachable: Bool?
    package var backend = ""
    package var location = ""
    package var operatorName = ""
    /// Hides and refuses actions: a read-only session, or a viewer.
    package var readonly = false
    /// The role the controller gave this console through its socket; nil for a direct session.
    package var role: Role?
    /// Why actions are disabled when the role is the reason (a viewer).
    package var roleRefusal: String?

    /// `OPERATOR` / `VIEWER` through the socket (`RO` for an operator's read-only session),
    /// `RW` / `RO` directly on the store.
    package var badge: String {
        switch role {
        case .viewer?: "VIEWER"
        case .operator?: readonly ? "RO" : "OPERATOR"
        case nil: readonly ? "RO" : "RW"
        }
    }

    /// The header of a console on `service` for `caller`.
    package init(gateway: String, platformURL: String, origin: ServiceOrigin, caller: Caller, readonly: Bool) {
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

    package init(
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
package struct ConsoleData: Sendable, Equatable {
    package init(header: HeaderInfo = HeaderInfo()) { self.header = header }

    package var header = HeaderInfo()
    /// When the snapshot was read; the header shows its age.
    package var loadedAt: Timestamp?
    package var artifacts: [ArtifactRow] = []
    /// Bumped whenever `artifacts` is rebuilt, so the UI re-filters 100,000 rows only then.
    package var artifactsVersion = 0
    package var counts = ArtifactCounts()
    package var replicas: [LagReport] = []
    package var replicaRecords: [String: ReplicaRecord] = [:]
    /// Lag history per replica for the trend sparklines, oldest first.
    package var lagHistory: [String: [LagSample]] = [:]
    package var hub = HubPosition(headSeq: 0, oldestSeq: 1)
    package var reviews: [OrphanReview] = []
    package var runs: [SyncRunRecord] = []
    /// The newest events of the hub, newest first.
    package var events: [HubEvent] = []
    /// The artifact each event is about, by `entityId`: the stored artifact, else (deleted) the
    /// one the event carries. Absent when neither is known: the row then shows the UUID.
    package var eventArtifacts: [String: ArtifactName] = [:]
    /// The plan preview asked for with `S`.
    package var plan: PlanState = .none

    package var fleetStatus: LagStatus { LagEvaluator.fleetStatus(replicas) }
    package var pendingReviews: [OrphanReview] { reviews.filter { $0.status == .pending } }
    /// Counted when the rows are built, not per frame.
    package var inSyncCount = 0
    package var outOfSyncCount = 0
}

/// The state of the sync plan preview.
package enum PlanState: Sendable, Equatable {
    case none
    case loading
    case ready(SyncPreview)
    case failed(String)
}
