import Core
import Foundation

/// Reads the store (incrementally: artifacts follow the event hub after one snapshot) and the
/// platform listing, and posts `ConsoleData` snapshots to the inbox.
actor ConsoleDataSource {
    let store: any GatewayStore
    let platform: (any PlatformAPI)?
    let inbox: ConsoleInbox
    let thresholds: LagThresholds
    let refresh: Duration
    let platformInterval: Double

    private var data: ConsoleData
    private var artifacts: [String: ArtifactSummary] = [:]
    private var cursor: Int64 = 0
    private var remote: [String: RemoteDeployment]?
    private var keys: [String: Int] = [:]
    private var rowsDirty = true
    private var lastListing: Timestamp?
    private var wake: AsyncStream<Void>.Continuation?

    init(store: any GatewayStore, platform: (any PlatformAPI)?, header: HeaderInfo, thresholds: LagThresholds,
         refresh: Duration, platformInterval: Double = 15, inbox: ConsoleInbox) {
        self.store = store
        self.platform = platform
        self.inbox = inbox
        self.thresholds = thresholds
        self.refresh = refresh
        self.platformInterval = platformInterval
        data = ConsoleData(header: header)
    }

    /// Refreshes until cancelled; `refreshNow()` wakes it early.
    func run() async {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        let ticker = Task { [refresh] in
            while !Task.isCancelled {
                continuation.yield()
                try? await Task.sleep(for: refresh)
            }
        }
        defer { ticker.cancel() }
        for await _ in stream {
            if Task.isCancelled { break }
            await refreshOnce()
        }
    }

    func refreshNow() { wake?.yield() }

    func setPlan(_ plan: PlanState) {
        data.plan = plan
        inbox.post(data)
    }

    /// One refresh: new hub events into the artifact map, then the small tables.
    func refreshOnce() async {
        do {
            try await followHub()
            let now = try await store.databaseNow()
            if platform != nil, lastListing.map({ now.seconds(since: $0) >= platformInterval }) ?? true {
                lastListing = now
                await listPlatform()
            }
            let newKeys = try await store.apiKeyCounts()
            if newKeys != keys { keys = newKeys; rowsDirty = true }
            let reviews = try await store.reviews(statuses: [.pending, .retained, .retentionConfirmed], limit: 100_000)
            if reviews != data.reviews { data.reviews = reviews; rowsDirty = true }
            data.runs = try await store.syncRuns(limit: 20)
            data.events = try await store.recentEvents(limit: 500)
            data.hub = try await store.position()
            data.replicas = try await FleetLag.reports(store: store, thresholds: thresholds)
            data.replicaRecords = Dictionary(try await store.replicas().map { ($0.replicaId, $0) }, uniquingKeysWith: { $1 })
            let samples = try await store.lagSamples(since: now.adding(seconds: -600))
            data.lagHistory = Dictionary(grouping: samples, by: \.replicaId)
            if rowsDirty { rebuildRows() }
            data.loadedAt = now
            inbox.post(data)
        } catch {
            inbox.post(Flash(text: "store read failed: \(error)", role: .err))
        }
    }

    private func followHub() async throws {
        if artifacts.isEmpty && cursor == 0 {
            try await reload()
            return
        }
        while true {
            let events = try await store.events(after: cursor, limit: 5000)
            if let first = events.first, first.seq != cursor + 1 {
                try await reload()
                return
            }
            if events.isEmpty {
                if try await store.position().hasLostEvents(appliedSeq: cursor) { try await reload() }
                return
            }
            for e in events {
                switch e.action {
                case .create, .update:
                    if let s = ArtifactEvents.decode(e) { artifacts[s.uuid] = s }
                case .delete:
                    artifacts[e.entityId] = nil
                }
                cursor = e.seq
            }
            rowsDirty = true
            if events.count < 5000 { return }
        }
    }

    private func reload() async throws {
        let snapshot = try await store.viewSnapshot()
        artifacts = Dictionary(snapshot.artifacts.map { ($0.uuid, $0) }, uniquingKeysWith: { $1 })
        cursor = snapshot.headSeq
        rowsDirty = true
    }

    private func listPlatform() async {
        guard let platform else { return }
        do {
            let listing = try await platform.listDeployments(since: nil)
            remote = Dictionary(listing.deployments.map { ($0.artifactId, $0) }, uniquingKeysWith: { $1 })
            data.header.platformReachable = true
        } catch {
            data.header.platformReachable = false
            remote = nil
        }
        rowsDirty = true
    }

    private func rebuildRows() {
        var counts = ArtifactCounts()
        for a in artifacts.values {
            counts.total += 1
            counts.byKind[a.kind.rawValue, default: 0] += 1
            if a.desiredState == .deployed { counts.deployed += 1 } else { counts.undeployed += 1 }
        }
        data.counts = counts
        let reviewByArtifact = Dictionary(data.reviews.map { ($0.artifactUUID, $0) }, uniquingKeysWith: { a, _ in a })
        let order = Dictionary(uniqueKeysWithValues: ArtifactKind.listingOrder.enumerated().map { ($1, $0) })
        data.artifacts = artifacts.values.map { s in
            ArtifactRow(summary: s, sync: Self.syncStatus(s, remote: remote, review: reviewByArtifact[s.uuid]), keys: keys[s.uuid] ?? 0)
        }.sorted { a, b in
            let ka = order[a.summary.kind] ?? 0, kb = order[b.summary.kind] ?? 0
            return ka != kb ? ka < kb : (a.summary.handle, a.summary.uuid) < (b.summary.handle, b.summary.uuid)
        }
        data.inSyncCount = data.artifacts.reduce(0) { $0 + ($1.sync == .inSync ? 1 : 0) }
        data.outOfSyncCount = data.artifacts.reduce(0) { $0 + ($1.sync == .outOfSync ? 1 : 0) }
        rowsDirty = false
    }

    static func syncStatus(_ s: ArtifactSummary, remote: [String: RemoteDeployment]?, review: OrphanReview?) -> SyncStatus {
        if let review, review.rowVersion == s.rowVersion {
            switch review.status {
            case .pending: return .pendingDeletion
            case .retained, .retentionConfirmed: return .retained
            default: break
            }
        }
        guard s.origin == .controlPlane, let remote else { return .unknown }
        guard let r = remote[s.uuid] else { return .outOfSync }
        let same = r.deploymentId == s.deploymentId && r.state.desiredState == s.desiredState && r.deployedAt == s.deployedAt
        return same ? .inSync : .outOfSync
    }
}
