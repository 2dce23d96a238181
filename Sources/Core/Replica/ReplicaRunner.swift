import Logging

/// Tunables of a replica.
public struct ReplicaOptions: Sendable {
    public var heartbeatInterval: Duration = .seconds(1)
    public var sampleInterval: Duration = .seconds(2)
    /// How much lag history to keep.
    public var sampleHistory: Duration = .seconds(15 * 60)
    public var batchSize = 1000
    public var fallbackPoll: Duration = .seconds(1)
    /// False: no commit wakeups, poll every `fallbackPoll` only (the reference design, for benchmarks).
    public var commitWakeups = true
    /// Artificial time per applied event (the demo's deliberately slow replica).
    public var applyDelay: Duration?
    /// Backoff after the store failed under the apply loop: doubled per failure up to the max.
    public var minRetryDelay: Duration = .milliseconds(200)
    public var maxRetryDelay: Duration = .seconds(5)
    /// What the retries and the heartbeat period wait on (a test clock in tests).
    public var clock: any Clock<Duration> = ContinuousClock()

    public init() {}
}

/// One controller replica: applies hub events to its in-memory view, advances its cursor,
/// heartbeats, samples its lag, and reloads when retention pruned events it had not applied.
public actor ReplicaRunner {
    public let replicaId: String
    let store: any GatewayStore
    let options: ReplicaOptions
    let logger: Logger
    let onApply: (@Sendable (HubEvent) -> Void)?

    private var hub = HubView()
    public var view: [String: ArtifactSummary] { hub.artifacts }
    public var appliedSeq: Int64 { hub.cursor }
    public private(set) var resyncs = 0
    private var state = ReplicaState.starting

    public init(
        store: any GatewayStore, replicaId: String, options: ReplicaOptions = ReplicaOptions(),
        logger: Logger = .silent("gwops.replica"), onApply: (@Sendable (HubEvent) -> Void)? = nil
    ) {
        self.store = store
        self.replicaId = replicaId
        self.options = options
        self.logger = logger
        self.onApply = onApply
    }

    /// Runs until cancelled; marks the replica stopped on the way out.
    public func run() async throws {
        let record = try await store.registerReplica(id: replicaId, host: ProcessProbe.hostName, pid: ProcessProbe.currentPID)
        resyncs = record.resyncs
        let snapshot = try await store.viewSnapshot()
        hub = HubView(artifacts: snapshot.artifacts, headSeq: record.appliedSeq)
        if record.appliedSeq == 0, try await store.position().oldestSeq > 1 {
            // A new replica joining after retention pruned the start: its view is the snapshot.
            hub.skip(to: snapshot.headSeq)
        }
        state = .running
        try await beat()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.heartbeatLoop() }
            await applyUntilCancelled()
            group.cancelAll()
        }
        await stop()
    }

    /// A store outage (a PostgreSQL restart or failover, a locked SQLite file) is waited out:
    /// the replica resubscribes from its cursor with backoff and never gives up on its own.
    private func applyUntilCancelled() async {
        var backoff = Backoff(initial: options.minRetryDelay, maximum: options.maxRetryDelay)
        while !Task.isCancelled {
            let cursor = appliedSeq
            do {
                try await applyLoop()
            } catch is CancellationError {
                break
            } catch where Task.isCancelled {
                break  // Stopping: whatever the store said while being cancelled is not a failure.
            } catch {
                if appliedSeq != cursor { backoff.reset() }  // It made progress since the last failure.
                logger.error(
                    "replica apply loop failed; resubscribing from its cursor",
                    metadata: ["replica": "\(replicaId)", "cursor": "\(appliedSeq)", "retry_in": "\(backoff.nextBase)", "error": "\(error)"])
                await backoff.wait(on: options.clock)
                continue
            }
        }
    }

    /// Records the stop even when the run was cancelled (the store refuses cancelled tasks).
    private func stop() async {
        state = .stopped
        let (store, id, seq, at, resyncs) = (store, replicaId, hub.cursor, hub.appliedAt, resyncs)
        await Task.detached {
            try? await store.heartbeat(id: id, appliedSeq: seq, appliedAt: at, state: .stopped, resyncs: resyncs)
        }.value
    }

    private func applyLoop() async throws {
        while !Task.isCancelled {
            let subscription = EventSubscription(
                log: store, after: appliedSeq, batchSize: options.batchSize, fallbackPoll: options.fallbackPoll,
                commitWakeups: options.commitWakeups)
            deliveries: for try await delivery in subscription {
                switch delivery {
                case .events(let events):
                    // After a reload the view is ahead of this subscription: subscribe again.
                    if try await apply(events) == false { break deliveries }
                case .lost(let position):
                    try await reload(lost: position)
                }
            }
            if Task.isCancelled { break }
        }
    }

    /// Applies events in order; false when the view had to be reloaded instead.
    private func apply(_ events: [HubEvent]) async throws -> Bool {
        for event in events {
            if let delay = options.applyDelay { try await Task.sleep(for: delay) }
            if case .unreadable(let seq) = hub.apply(event) {
                // Never skip silently: rebuild the view from the store, which is authoritative.
                logger.error("event data unreadable; reloading the view", metadata: ["replica": "\(replicaId)", "seq": "\(seq)"])
                try await reload(lost: try await store.position(), counted: false)
                return false
            }
        }
        // Reported before the cursor is stored: a crash in between reports these events again
        // after the restart (at least once, in seq order), so a consumer that keeps its own last
        // seq (like the controller's apply log) sees each event exactly once.
        for event in events { onApply?(event) }
        try await beat()
        return true
    }

    private func reload(lost position: HubPosition, counted: Bool = true) async throws {
        if counted {
            logger.warning(
                "events pruned before this replica applied them; reloading",
                metadata: ["replica": "\(replicaId)", "cursor": "\(appliedSeq)", "oldest": "\(position.oldestSeq)"])
        }
        state = .reloading
        try await beat()
        let snapshot = try await store.viewSnapshot()
        hub = HubView(artifacts: snapshot.artifacts, headSeq: snapshot.headSeq)
        resyncs += 1
        state = .running
        try await beat()
    }

    private func beat() async throws {
        try await store.heartbeat(id: replicaId, appliedSeq: hub.cursor, appliedAt: hub.appliedAt, state: state, resyncs: resyncs)
    }

    private func heartbeatLoop() async {
        var sinceSample: Duration = options.sampleInterval
        while !Task.isCancelled {
            do {
                try await beat()
                if sinceSample >= options.sampleInterval {
                    try await sample()
                    sinceSample = .zero
                }
            } catch {
                logger.warning("heartbeat failed", metadata: ["replica": "\(replicaId)", "error": "\(error)"])
            }
            do { try await options.clock.sleep(for: options.heartbeatInterval) } catch { return }
            sinceSample += options.heartbeatInterval
        }
    }

    private func sample() async throws {
        let position = try await store.position()
        let now = try await store.databaseNow()
        let cursor = appliedSeq
        var lagSeconds = 0.0
        if position.headSeq > cursor, let next = try await store.processedAt(seq: cursor + 1) {
            lagSeconds = max(0, now.seconds(since: next))
        }
        try await store.recordLagSample(
            LagSample(replicaId: replicaId, sampledAt: now, headSeq: position.headSeq, appliedSeq: cursor, lagSeconds: lagSeconds),
            keepAfter: now.subtracting(options.sampleHistory))
    }
}
