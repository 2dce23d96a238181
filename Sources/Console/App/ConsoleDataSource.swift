import Control
import Core
import Foundation
import Synchronization

/// Reads the gateway and the platform listing through a `GatewayService` (the store here, or the
/// controller's socket), and posts `ConsoleData` snapshots to the inbox. Artifacts follow the
/// event hub after one snapshot, through an `EventSubscription` as a replica's do (`HubView`);
/// through the socket, the events the controller streams reach it without a round trip.
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
    /// The artifacts and the hub cursor, from a snapshot and the events after it.
    private var view = HubView()
    private let feed: ServiceHub
    private let wakeups = Wakeups()
    /// nil while the platform is unknown or unreachable: the SYNC column then says Unknown.
    private var remote: RemoteMirror?
    private var keys: [String: Int] = [:]
    private var rowsDirty = true
    /// The artifacts view's rows, kept up to date from the changes the hub brings.
    private var table = ArtifactRowTable()
    private var changed = true
    private var lastFullListing: Timestamp?
    private var lastProbe: Timestamp?
    /// The platform question in flight: asked beside the store reads, never in their way (an
    /// unreachable platform takes its timeout, 30 s, to say so).
    private var asking: Task<Void, Never>?
    private var wake: AsyncStream<Void>.Continuation?
    /// Whether a snapshot was loaded (the cursor is then the snapshot's head, or later).
    private var loaded = false
    private var loading: Task<Void, Error>?
    /// The newest hub events, newest first: from the dashboard after a snapshot, then from the
    /// subscription as they come.
    private var recent: [HubEvent] = []
    static let recentLimit = 500
    /// Whether the next dashboard should carry the recent events (after a snapshot: the
    /// subscription brings only what follows it).
    private var recentWanted = true
    /// Subscription batches are shown from the local copies at most once per `showGap` (four times
    /// what showing last cost, at least 20 ms), without asking the controller.
    private var showScheduled = false
    private var lastShown: ContinuousClock.Instant?
    private var showGap = Duration.milliseconds(20)

    /// What retries wait on.
    let clock: any Clock<Duration>

    init(service: any GatewayService, header: HeaderInfo, thresholds: LagThresholds,
         refresh: Duration, probeInterval: Double = 10, fullListingInterval: Double = 300, inbox: ConsoleInbox,
         clock: any Clock<Duration> = ContinuousClock()) {
        self.clock = clock
        self.service = service
        self.inbox = inbox
        self.thresholds = thresholds
        self.refresh = refresh
        self.probeInterval = probeInterval
        self.fullListingInterval = fullListingInterval
        data = ConsoleData(header: header)
        feed = ServiceHub(service: service)
    }

    /// Refreshes the small tables and follows the hub until cancelled; `refreshNow()` wakes both early.
    func run() async {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        let ticker = Task { [refresh, wakeups] in
            while !Task.isCancelled {
                continuation.yield()
                wakeups.signal()
                try? await Task.sleep(for: refresh)
            }
        }
        defer { ticker.cancel() }
        let follower = Task { await self.followHub() }
        defer { follower.cancel() }
        // Through the controller's socket, hub events arrive as they are applied.
        let relay = (service as? ControlClient).map { client in Task { await self.relayStream(client) } }
        defer {
            relay?.cancel()
            asking?.cancel()
        }
        for await _ in stream {
            if Task.isCancelled { break }
            await refreshOnce()
            // At most ten refreshes a second however often they are asked for (each key that
            // acts asks for one): a wake meanwhile is kept, so the last ask still shows 100 ms later.
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    func refreshNow() {
        wake?.yield()
        wakeups.signal()
    }

    func setPlan(_ plan: PlanState) {
        data.plan = plan
        changed = true
        inbox.post(data)
    }

    /// One refresh of the small tables (the first loads the snapshot). Posts a new snapshot only
    /// when something changed; otherwise just the time it was read.
    func refreshOnce() async {
        do {
            if !loaded { try await load() }
            let wanted = recentWanted
            let board = try await service.dashboard(recentEvents: wanted ? Self.recentLimit : 0, lagWindow: 600)
            if wanted { recentWanted = false }
            let now = board.now
            askPlatformAside(now: now)
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
        postIfChanged()
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
            guard let a = view.artifacts[e.entityId] ?? ArtifactEvents.decode(e) else { continue }
            names[e.entityId] = ArtifactName(kind: a.kind, name: a.handle)
        }
        return names
    }

    /// Follows the hub from the snapshot's head, as a replica does: contiguous batches go into
    /// the view and the recent events and are shown at once; lost events (pruned before this
    /// console read them) or an event it cannot read mean a new snapshot. A failure to read is
    /// shown, then retried.
    private func followHub() async {
        var backoff = Self.retry
        while !Task.isCancelled {
            do {
                if !loaded { try await load() }
                let subscription = EventSubscription(source: feed, after: view.cursor, batchSize: 5000) { [wakeups] in wakeups.stream() }
                for try await delivery in subscription {
                    switch delivery {
                    case .events(let events):
                        if !ingest(events) { loaded = false }
                    case .lost:
                        loaded = false
                    }
                    backoff.reset()
                    if !loaded { break }
                }
            } catch where Task.isCancelled {
                return
            } catch {
                inbox.post(Flash(text: "\(service.origin.isSocket ? "controller" : "store") read failed: \(error)", role: .err))
                await backoff.wait(on: clock)
            }
        }
    }

    /// How the hub reads and the event stream are retried.
    static let retry = Backoff(initial: .milliseconds(250), maximum: .seconds(5), jitter: 0.8...1.2)

    /// Applies a contiguous batch to the view and the recent events, and shows it; false when an
    /// event could not be read (the view then needs a new snapshot, as a replica's would).
    private func ingest(_ events: [HubEvent]) -> Bool {
        remember(events.reversed())
        let outcome = view.apply(events) { uuid, before in table.willChange(uuid, from: before) }
        showStreamed()
        if case .unreadable(let seq) = outcome {
            inbox.post(Flash(text: "hub event \(seq) could not be read; reloading the artifacts", role: .warn))
            return false
        }
        return true
    }

    /// Hands what the controller's event stream brings to the subscription's source (so it needs
    /// no round trip for it), and wakes the subscription. The stream starts once the first
    /// snapshot is loaded, from the cursor; after it ends it is opened again, with backoff.
    private func relayStream(_ client: ControlClient) async {
        var backoff = Self.retry
        while !Task.isCancelled {
            guard loaded else {
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            feed.streamRestarted()
            do {
                for try await batch in client.follow(after: view.cursor) {
                    feed.pushed(batch)
                    wakeups.signal()
                    backoff.reset()
                }
            } catch {}
            feed.streamRestarted()
            await backoff.wait(on: clock)
        }
    }

    /// Loads the snapshot, once for every caller that asks meanwhile.
    private func load() async throws {
        if let loading { return try await loading.value }
        let task = Task { try await self.reload() }
        loading = task
        defer { loading = nil }
        try await task.value
    }

    private func reload() async throws {
        let snapshot = try await service.snapshot()
        view.reload(snapshot)
        loaded = true
        recentWanted = true
        rowsDirty = true
        MemoryTrim.releaseFreePages()
    }

    /// Asks the platform unless a question is still in flight, and shows the answer when it comes.
    private func askPlatformAside(now: Timestamp) {
        guard asking == nil else { return }
        asking = Task {
            await askPlatform(now: now)
            asking = nil
            postIfChanged()
        }
    }

    private func postIfChanged() {
        refreshRows()
        if changed {
            inbox.post(data)
            changed = false
        }
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
        let context = ArtifactRowTable.Context(artifacts: view.artifacts, reviews: data.reviews, remote: remote, keys: keys)
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

/// Wakes the hub subscription of the moment: each subscription takes a fresh stream, and a signal
/// goes to the newest one (at most one kept while it is busy).
final class Wakeups: Sendable {
    private let current = Mutex<AsyncStream<Void>.Continuation?>(nil)

    func stream() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        current.withLock { $0?.finish(); $0 = continuation }
        return stream
    }

    func signal() { _ = current.withLock { $0?.yield() } }
}
