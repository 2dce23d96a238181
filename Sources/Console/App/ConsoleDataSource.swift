import Core
import Foundation

/// What the console shows of one gateway, put together and posted to the inbox as `ConsoleData`:
/// the artifacts from a snapshot and the hub events after it (`HubFollower`), the small tables
/// read every refresh (`DashboardPoller`), and the platform's listing asked beside them
/// (`PlatformWatch`: an unreachable platform takes 10–30 s to say so, and never holds the
/// screen back). Each runs in a child task of `run`, so all of them end with it.
package actor ConsoleDataSource {
    let service: any GatewayService
    let inbox: ConsoleInbox
    private let follower: HubFollower
    private let poller: DashboardPoller
    private var platform: PlatformWatch
    /// What hub read retries wait on.
    let clock: any Clock<Duration>

    private var data: ConsoleData
    /// The artifacts and the hub cursor, from a snapshot and the events after it.
    private var view = HubView()
    /// Whether a snapshot was loaded (the cursor is then the snapshot's head, or later).
    private var loaded = false
    private var keys: [String: Int] = [:]
    private var rowsDirty = true
    /// The artifacts view's rows, kept up to date from the changes the hub brings.
    private var table = ArtifactRowTable()
    private var changed = true
    /// The newest hub events, newest first: from the dashboard after a snapshot, then from the
    /// hub as they come.
    private var recent: [HubEvent] = []
    static let recentLimit = 500
    /// Whether the next dashboard should carry the recent events (after a snapshot: the hub
    /// brings only what follows it).
    private var recentWanted = true
    private var hubRetry = HubFollower.retry

    /// The platform is asked at each dashboard's time, one question at a time.
    private let asks: AsyncStream<Timestamp>
    private let asker: AsyncStream<Timestamp>.Continuation
    /// Hub batches are shown from the local copies at most once per `showGap` (four times what
    /// showing last cost, at least 20 ms), without asking the gateway.
    private let shows: AsyncStream<Void>
    private let shower: AsyncStream<Void>.Continuation
    private var showGap = Duration.milliseconds(20)

    package init(service: any GatewayService, header: HeaderInfo, refresh: Duration, platform: PlatformWatch = PlatformWatch(),
         inbox: ConsoleInbox, clock: any Clock<Duration> = ContinuousClock()) {
        self.service = service
        self.inbox = inbox
        self.clock = clock
        self.platform = platform
        follower = HubFollower(service: service, clock: clock)
        poller = DashboardPoller(service: service, refresh: refresh, clock: clock)
        data = ConsoleData(header: header)
        (asks, asker) = AsyncStream.makeStream(of: Timestamp.self, bufferingPolicy: .bufferingNewest(1))
        (shows, shower) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Follows the hub, reads the dashboard every refresh and asks the platform aside, until
    /// cancelled; `refreshNow()` reads early. Call once.
    package func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.followHub() }
            group.addTask {
                await self.poller.run(recentEvents: { await self.takeRecentWanted() }, deliver: { await self.received($0) })
            }
            group.addTask { await self.askPlatform() }
            group.addTask { await self.showStreamed() }
        }
    }

    func refreshNow() {
        poller.wake()
        follower.wake()
    }

    func setPlan(_ plan: PlanState) {
        data.plan = plan
        changed = true
        inbox.post(data)
    }

    // MARK: - The dashboard

    private func takeRecentWanted() -> Int {
        defer { recentWanted = false }
        return recentWanted ? Self.recentLimit : 0
    }

    /// One dashboard read: posts a new snapshot only when something changed, otherwise just the
    /// time it was read.
    private func received(_ read: Result<Dashboard, any Error>) {
        let board: Dashboard
        do {
            board = try read.get()
        } catch {
            inbox.post(Flash(text: "\(readFailure) \(error)", role: .err))
            return
        }
        asker.yield(board.now)
        follower.wake()
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
        data.loadedAt = board.now
        if changed {
            inbox.post(data)
            changed = false
        } else {
            inbox.post(loadedAt: board.now)
        }
        if let problem = follower.takeStreamProblem() { inbox.post(Flash(text: problem, role: .warn)) }
    }

    private var readFailure: String { "\(service.origin.isSocket ? "controller" : "store") read failed:" }

    // MARK: - The hub

    /// Loads a snapshot, then follows the hub from its head; lost events (pruned before this
    /// console read them) or an event it cannot read mean a new snapshot. A failure to read is
    /// shown, then retried.
    private func followHub() async {
        while !Task.isCancelled {
            do {
                if !loaded { try await reload() }
                try await follower.follow(after: view.cursor) { @Sendable delivery in await self.ingest(delivery) }
            } catch where Task.isCancelled {
                return
            } catch {
                inbox.post(Flash(text: "\(readFailure) \(error)", role: .err))
                var retry = hubRetry
                await retry.wait(on: clock)
                hubRetry = retry
            }
        }
    }

    private func reload() async throws {
        let snapshot = try await service.snapshot()
        view.reload(snapshot)
        loaded = true
        recentWanted = true
        rowsDirty = true
        postIfChanged()
        MemoryTrim.releaseFreePages()
    }

    /// Applies a contiguous batch to the view and the recent events, and has it shown; false when
    /// the view needs a new snapshot (lost events, or an event it could not read, as a replica's).
    private func ingest(_ delivery: HubDelivery) -> Bool {
        hubRetry.reset()
        guard case .events(let events) = delivery else {
            loaded = false
            return false
        }
        remember(events.reversed())
        let outcome = view.apply(events) { uuid, before in table.willChange(uuid, from: before) }
        shower.yield()
        if case .unreadable(let seq) = outcome {
            inbox.post(Flash(text: "hub event \(seq) could not be read; reloading the artifacts", role: .warn))
            loaded = false
            return false
        }
        return true
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

    /// Shows what the hub brought (rows and events from the local copies, no call to the
    /// gateway), at most once per `showGap`.
    private func showStreamed() async {
        var lastShown: ContinuousClock.Instant?
        for await _ in shows {
            if let lastShown, case let wait = showGap - (ContinuousClock.now - lastShown), wait > .zero {
                try? await Task.sleep(for: wait)
            }
            let start = ContinuousClock.now
            showEvents()
            postIfChanged()
            lastShown = start
            showGap = max(.milliseconds(20), (ContinuousClock.now - start) * 4)
        }
    }

    private func showEvents() {
        if recent != data.events || rowsDirty || table.hasChanges { update(\.eventArtifacts, artifactNames(of: recent)) }
        update(\.events, recent)
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

    // MARK: - The platform

    /// Asks the platform at each dashboard's time, one question at a time, and shows the answer
    /// when it comes.
    private func askPlatform() async {
        for await now in asks {
            var watch = platform
            let answer = await watch.ask(service, now: now)
            platform = watch
            if answer.mirrorChanged { rowsDirty = true }
            if let reachable = answer.reachable, data.header.platformReachable != reachable {
                data.header.platformReachable = reachable
                changed = true
            }
            postIfChanged()
        }
    }

    // MARK: - Posting

    private func update<T: Equatable>(_ field: WritableKeyPath<ConsoleData, T>, _ value: T) {
        if data[keyPath: field] != value {
            data[keyPath: field] = value
            changed = true
        }
    }

    private func postIfChanged() {
        refreshRows()
        if changed {
            inbox.post(data)
            changed = false
        }
    }

    /// Rebuilds the rows when everything may have changed; else brings the changed ones up to date.
    private func refreshRows() {
        guard rowsDirty || table.hasChanges else { return }
        let context = ArtifactRowTable.Context(artifacts: view.artifacts, reviews: data.reviews, remote: platform.mirror, keys: keys)
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
