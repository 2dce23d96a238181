import Control
import Core
import Foundation

/// Reads the gateway (incrementally: artifacts follow the event hub after one snapshot) and the
/// platform listing through a `GatewayService` (the store here, or the controller's socket), and
/// posts `ConsoleData` snapshots to the inbox.
actor ConsoleDataSource {
    let service: any GatewayService
    let inbox: ConsoleInbox
    let thresholds: LagThresholds
    let refresh: Duration
    /// How often the platform is asked what changed (cheap: `?since=`), and how often it is
    /// listed whole (to notice deletions).
    let probeInterval: Double
    let fullListingInterval: Double

    private var data: ConsoleData
    private var artifacts: [String: ArtifactSummary] = [:]
    private var cursor: Int64 = 0
    /// nil while the platform is unknown or unreachable: the SYNC column then says Unknown.
    private var remote: RemoteMirror?
    private var keys: [String: Int] = [:]
    private var rowsDirty = true
    /// The artifacts view's rows, kept up to date from the changes the hub brings.
    private var table = ArtifactRowTable()
    private var changed = true
    private var lastFullListing: Timestamp?
    private var lastProbe: Timestamp?
    private var wake: AsyncStream<Void>.Continuation?
    /// Whether a snapshot was loaded (the cursor is then the snapshot's head, or later).
    private var loaded = false
    /// The newest hub events, newest first: from the dashboard, and from the stream as it comes.
    private var recent: [HubEvent] = []
    static let recentLimit = 500
    /// Whether the controller's event stream is following contiguously: the dashboard then
    /// need not carry the recent events.
    private var streaming = false
    /// Stream batches are shown from the local copies at most once per `showGap` (four times
    /// what showing last cost, at least 20 ms), without asking the controller.
    private var showScheduled = false
    private var lastShown: ContinuousClock.Instant?
    private var showGap = Duration.milliseconds(20)

    init(service: any GatewayService, header: HeaderInfo, thresholds: LagThresholds,
         refresh: Duration, probeInterval: Double = 10, fullListingInterval: Double = 300, inbox: ConsoleInbox) {
        self.service = service
        self.inbox = inbox
        self.thresholds = thresholds
        self.refresh = refresh
        self.probeInterval = probeInterval
        self.fullListingInterval = fullListingInterval
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
        // Through the controller's socket, hub events arrive as they are applied: each wakes a refresh.
        let follower = (service as? ControlClient).map { client in Task { await self.followStream(client) } }
        defer { follower?.cancel() }
        for await _ in stream {
            if Task.isCancelled { break }
            await refreshOnce()
            // At most ten refreshes a second however fast the hub moves (each stream batch wakes
            // one): a wake meanwhile is kept, so the last events still show 100 ms later.
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    func refreshNow() { wake?.yield() }

    func setPlan(_ plan: PlanState) {
        data.plan = plan
        changed = true
        inbox.post(data)
    }

    /// One refresh: new hub events into the artifact map, then the small tables. Posts a new
    /// snapshot only when something changed; otherwise just the time it was read.
    func refreshOnce() async {
        do {
            let board = try await service.dashboard(recentEvents: streaming ? 0 : Self.recentLimit, lagWindow: 600)
            try await followHub(hub: board.hub)
            let now = board.now
            await askPlatform(now: now)
            if board.apiKeys != keys { keys = board.apiKeys; rowsDirty = true }
            if board.reviews != data.reviews { data.reviews = board.reviews; rowsDirty = true; changed = true }
            update(\.runs, board.runs)
            remember(board.recentEvents)
            showEvents()
            update(\.hub, board.hub)
            update(\.replicas, board.lag)
            update(\.replicaRecords, Dictionary(board.replicas.map { ($0.replicaId, $0) }, uniquingKeysWith: { $1 }))
            update(\.lagHistory, Dictionary(grouping: board.lagSamples, by: \.replicaId))
            refreshRows()
            data.loadedAt = now
            if changed {
                inbox.post(data)
                changed = false
            } else {
                inbox.post(loadedAt: now)
            }
        } catch {
            inbox.post(Flash(text: "\(service.origin.isSocket ? "controller" : "store") read failed: \(error)", role: .err))
        }
    }

    /// Merges `events` (newest first) into the recent ones, by sequence number.
    private func remember(_ events: [HubEvent]) {
        guard !events.isEmpty else { return }
        if let newest = recent.first, let oldest = events.last, oldest.seq > newest.seq {
            recent = Array((events + recent).prefix(Self.recentLimit))
            return
        }
        var bySeq = Dictionary(recent.map { ($0.seq, $0) }, uniquingKeysWith: { a, _ in a })
        for e in events { bySeq[e.seq] = e }
        recent = Array(bySeq.values.sorted { $0.seq > $1.seq }.prefix(Self.recentLimit))
    }

    private func showEvents() {
        if recent != data.events || rowsDirty || table.hasChanges { update(\.eventArtifacts, artifactNames(of: recent)) }
        update(\.events, recent)
    }

    /// Shows what the stream brought (rows and events from the local copies, no call to the
    /// controller), now or once `showGap` has passed since the last time.
    private func showStreamed() {
        guard !showScheduled else { return }
        showScheduled = true
        let wait = lastShown.map { showGap - (ContinuousClock.now - $0) } ?? .zero
        Task {
            if wait > .zero { try? await Task.sleep(for: wait) }
            self.showNow()
        }
    }

    private func showNow() {
        showScheduled = false
        let start = ContinuousClock.now
        showEvents()
        refreshRows()
        if changed {
            inbox.post(data)
            changed = false
        }
        lastShown = start
        showGap = max(.milliseconds(20), (ContinuousClock.now - start) * 4)
    }

    private func update<T: Equatable>(_ field: WritableKeyPath<ConsoleData, T>, _ value: T) {
        if data[keyPath: field] != value {
            data[keyPath: field] = value
            changed = true
        }
    }

    /// Kind and name of each event's artifact: the stored one, else (deleted since) the summary
    /// the event carries; neither for an event whose data is not a summary.
    private func artifactNames(of events: [HubEvent]) -> [String: ArtifactName] {
        var names: [String: ArtifactName] = [:]
        for e in events where names[e.entityId] == nil {
            guard let a = artifacts[e.entityId] ?? ArtifactEvents.decode(e) else { continue }
            names[e.entityId] = ArtifactName(kind: a.kind, name: a.handle)
        }
        return names
    }

    /// Reads the events after the cursor; `hub` (read just before) tells whether some were
    /// pruned before this console read them.
    private func followHub(hub: HubPosition) async throws {
        if artifacts.isEmpty && cursor == 0 {
            try await reload()
            return
        }
        while true {
            let events = try await service.events(after: cursor, limit: 5000)
            if let first = events.first, first.seq != cursor + 1 {
                try await reload()
                return
            }
            if events.isEmpty {
                if hub.hasLostEvents(appliedSeq: cursor) { try await reload() }
                return
            }
            ingest(events)
            if events.count < 5000 { return }
        }
    }

    /// Applies events that follow the cursor to the artifact map and the recent events.
    private func ingest(_ events: [HubEvent]) {
        remember(events.filter { $0.seq > cursor }.reversed())
        for e in events where e.seq > cursor {
            switch e.action {
            case .create, .update:
                guard let s = ArtifactEvents.decode(e) else { break }
                table.willChange(s.uuid, from: artifacts[s.uuid])
                artifacts[s.uuid] = s
            case .delete:
                table.willChange(e.entityId, from: artifacts[e.entityId])
                artifacts[e.entityId] = nil
            }
            cursor = e.seq
        }
    }

    /// Follows the controller's event stream: contiguous events go straight into the map and the
    /// recent events, and are shown without asking the controller; a gap (or a reconnect) is left
    /// to `followHub`, which reads from the cursor on the next refresh. It starts once the first
    /// snapshot is loaded: from its head, never from the hub's start.
    private func followStream(_ client: ControlClient) async {
        while !Task.isCancelled {
            guard loaded else {
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            do {
                for try await batch in client.follow(after: cursor) {
                    guard let first = batch.first else { continue }
                    if first.seq <= cursor + 1 {
                        ingest(batch)
                        streaming = true
                        showStreamed()
                    } else {
                        streaming = false
                        refreshNow()
                    }
                }
            } catch {}
            streaming = false
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func reload() async throws {
        let snapshot = try await service.snapshot()
        artifacts = Dictionary(snapshot.artifacts.map { ($0.uuid, $0) }, uniquingKeysWith: { $1 })
        cursor = snapshot.headSeq
        loaded = true
        rowsDirty = true
        MemoryTrim.releaseFreePages()
    }

    /// Lists the platform whole every `fullListingInterval`, and in between asks only what
    /// changed since the last full listing.
    private func askPlatform(now: Timestamp) async {
        let full = lastFullListing.map { now.seconds(since: $0) >= fullListingInterval } ?? true
        guard full || remote == nil || lastProbe.map({ now.seconds(since: $0) >= probeInterval }) ?? true else { return }
        lastProbe = now
        do {
            if full || remote == nil {
                guard let listing = try await service.listDeployments(since: nil) else { return }
                var mirror = remote ?? RemoteMirror()
                if mirror.replace(with: listing.deployments) || remote == nil { rowsDirty = true }
                remote = mirror
                lastFullListing = now
                MemoryTrim.releaseFreePages()
            } else if var mirror = remote, let since = lastFullListing {
                guard let listing = try await service.listDeployments(since: since.adding(seconds: -1)) else { return }
                if mirror.merge(listing.deployments) { rowsDirty = true }
                remote = mirror
            }
            if data.header.platformReachable != true { data.header.platformReachable = true; changed = true }
        } catch {
            if data.header.platformReachable != false { data.header.platformReachable = false; changed = true }
            if remote != nil { remote = nil; rowsDirty = true }
        }
    }

    /// Rebuilds the rows when everything may have changed; else brings the changed ones up to date.
    private func refreshRows() {
        guard rowsDirty || table.hasChanges else { return }
        let context = ArtifactRowTable.Context(artifacts: artifacts, reviews: data.reviews, remote: remote, keys: keys)
        if rowsDirty { table.rebuild(context) } else { table.applyChanges(context) }
        data.artifacts = table.rows
        data.counts = table.counts
        data.inSyncCount = table.inSync
        data.outOfSyncCount = table.outOfSync
        data.artifactsVersion += 1
        rowsDirty = false
        changed = true
    }
}
