import Foundation
import Logging

/// Runs startup syncs (DESIGN §3): list, diff, classify orphans, fetch in batches, apply with
/// guarded writes, status updates, deletions. At most one runs per gateway at a time.
public final class SyncEngine: Sendable {
    let store: any GatewayStore
    public let platform: any PlatformAPI
    let options: SyncOptions
    let logger: Logger
    /// What retries wait on (a test clock in tests).
    let clock: any Clock<Duration>
    /// What the lease renewal's period and its grace are measured on (a test clock in tests;
    /// not `clock`, whose sleeps a test may make return at once).
    let leaseClock: any Clock<Duration>

    public init(
        store: any GatewayStore, platform: any PlatformAPI, options: SyncOptions = SyncOptions(), logger: Logger = .silent("gwops.sync"),
        clock: any Clock<Duration> = ContinuousClock(), leaseClock: any Clock<Duration> = ContinuousClock()
    ) {
        self.store = store
        self.platform = platform
        self.options = options
        self.logger = logger
        self.clock = clock
        self.leaseClock = leaseClock
    }

    /// `operation`, retried as the options say when it fails transiently.
    func retrying<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        try await Retry.run(attempts: options.attempts, backoff: options.backoff, clock: clock, operation)
    }

    /// What a run would do now, without writing anything.
    public func preview(checkOrphans: Bool = true) async throws -> SyncPreview {
        let listing = try await retrying { [platform] in
            try await platform.listDeployments(since: nil)
        }
        let local = try await store.artifactSummaries()
        let plan = SyncDiff.plan(remote: listing.deployments, local: local, protectedIds: Self.protectedIds(listing))
        var verdicts = OrphanVerdicts()
        if checkOrphans, Self.orphanDetectionIsSafe(listing) {
            verdicts = try await OrphanClassifier(platform: platform, options: options, clock: clock).classify(plan.orphanCandidates)
        }
        return SyncPreview(plan: plan, unreadable: listing.unreadable, verdicts: verdicts, listed: listing.deployments.count)
    }

    /// Runs a sync and returns its final record. Throws `SyncError.busy` when another sync holds
    /// the lease, `SyncError.failed` when the run could not proceed (it is recorded either way).
    /// `started` hears the run's id as soon as it is recorded.
    @discardableResult
    public func run(
        trigger: SyncTrigger, requestedBy: Principal, started: (@Sendable (Int64) -> Void)? = nil
    ) async throws -> SyncRunRecord {
        let holder = SyncLeaseHolder(
            token: UUID().uuidString, host: ProcessProbe.hostIdentity, pid: ProcessProbe.currentPID)
        let runId: Int64
        switch try await store.beginSyncRun(
            trigger: trigger, requestedBy: requestedBy.display, holder: holder, ttl: options.leaseTTL)
        {
        case .busy(let who, let id): throw SyncError.busy(holder: who, runId: id)
        case .started(let id): runId = id
        }
        started?(runId)
        logger.info("sync run started", metadata: ["run": "\(runId)", "trigger": "\(trigger.rawValue)"])
        let progress = SyncProgress(runId: runId, store: store)
        var outcome = SyncOutcome.succeeded
        var failure: String?
        do {
            // The work, and beside it the lease renewal: a lease that is lost stops the work (another
            // sync may be running), and the work's end stops the renewal.
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await self.execute(progress: progress, runId: runId)
                    return true
                }
                group.addTask {
                    try await self.keepLease(holder)
                    return false  // cancelled: the work's own end says how the run ended
                }
                while let workDone = try await group.next() {
                    if workDone { break }
                }
                group.cancelAll()
            }
        } catch let lost as LeaseLost {
            outcome = .failed
            failure = lost.reason
            await progress.error(lost.reason)
        } catch is CancellationError {
            outcome = .failed
            failure = "the run was cancelled before it finished"
            await progress.error(failure!)
        } catch {
            outcome = .failed
            let reason = "\(error)"
            failure = reason
            await progress.error(reason)
        }
        let (counters, errors) = await progress.snapshot()
        if outcome != .failed, counters.errors > 0 { outcome = .partial }
        // Close the run and release the lease even when this task was cancelled.
        let closing = outcome
        try await Task.detached { [store] in
            try await store.finishSyncRun(id: runId, outcome: closing, counters: counters, errors: errors, holder: holder)
        }.value
        logger.info("sync run finished", metadata: ["run": "\(runId)", "outcome": "\(outcome.rawValue)"])
        if let failure { throw SyncError.failed(runId: runId, reason: failure) }
        guard let record = try await store.syncRun(id: runId) else {
            throw SyncError.failed(runId: runId, reason: "the run's record vanished")
        }
        return record
    }

    /// Renews the lease every third of its time to live until cancelled; throws `LeaseLost` when
    /// another holder has it, or when it could not be renewed for a whole time to live (the store
    /// unreachable: another replica may have taken it over by now). A renewal that fails within
    /// that grace is tried again at the next period (`SyncLease.afterRenewal`).
    func keepLease(_ holder: SyncLeaseHolder) async throws {
        let ttl = options.leaseTTL
        let period = ttl / 3
        // Measured in periods of the lease clock: what a test moves is all that counts.
        var sinceRenewed: Duration = .zero
        while true {
            do { try await leaseClock.sleep(for: period) } catch { return }
            sinceRenewed += period
            let attempt: SyncLease.Renewal
            do {
                attempt = try await store.renewSyncLease(holder: holder, ttl: ttl) ? .renewed : .notHeld
            } catch is CancellationError {
                return
            } catch {
                attempt = .failed("\(error)")
            }
            switch SyncLease.afterRenewal(attempt, sinceRenewed: sinceRenewed, ttl: ttl) {
            case .held: sinceRenewed = .zero
            case .retry: logger.warning("sync lease not renewed; trying again", metadata: ["attempt": "\(attempt)"])
            case .lost(let reason): throw LeaseLost(reason: reason)
            }
        }
    }

    /// Why a run stopped: the single-flight lease is no longer this run's.
    struct LeaseLost: Error {
        var reason: String
    }

    private func execute(progress: SyncProgress, runId: Int64) async throws {
        let listing = try await retrying { [platform] in
            try await platform.listDeployments(since: nil)
        }
        await progress.update { $0.listed = listing.deployments.count }
        for entry in listing.unreadable { await progress.error("listing: \(entry.reason)") }

        await progress.enter(.diffing)
        let local = try await store.artifactSummaries()
        let plan = SyncDiff.plan(remote: listing.deployments, local: local, protectedIds: Self.protectedIds(listing))
        await progress.update {
            $0.toFetch = plan.fetches.count
            $0.drift = plan.drift.count
            $0.skipped = plan.unknownState.count + listing.unreadable.count
        }
        for entry in plan.unknownState.prefix(50) {
            await progress.note("skipped \(entry.kind.rawValue) \(entry.artifactId): unknown state \(entry.state.wire)")
        }
        for drift in plan.drift.prefix(50) {
            await progress.note(
                "drift: \(drift.artifactId) is newer locally (\(drift.localDeployedAt)) than on the platform (\(drift.remoteDeployedAt))")
        }
        _ = try await store.supersedeReviews(artifactIds: Set(listing.deployments.map(\.artifactId)))

        await progress.enter(.classifying)
        let deletions = try await classifyOrphans(plan, listing: listing, progress: progress, runId: runId)

        await progress.enter(.fetching)
        try await fetchAndApply(plan.fetchesInDependencyOrder, progress: progress)

        await progress.enter(.statusUpdates)
        for chunk in plan.statusUpdates.chunked(500) {
            let outcomes = try await store.updateStatuses(Array(chunk))
            await progress.update {
                $0.statusUpdated += outcomes.filter(\.affected).count
                $0.stale += outcomes.filter { !$0.affected }.count
            }
        }

        await progress.enter(.deleting)
        try await deleteOrphans(deletions, progress: progress)
        await progress.enter(.done)
    }

    static func protectedIds(_ listing: DeploymentListing) -> Set<String> {
        Set(listing.unreadable.compactMap(\.artifactId))
    }

    /// Why orphans must not be classified this run, or nil. An empty or mostly missing listing is
    /// far more likely a platform fault than a platform that forgot the gateway.
    static func massOrphaning(_ plan: SyncPlan, listed: Int, options: SyncOptions) -> String? {
        let orphans = plan.orphanCandidates.count
        let local = orphans + plan.inSync + plan.drift.count + plan.statusUpdates.count
            + plan.fetches.filter { $0.reason != .new }.count + plan.unknownState.count
        guard orphans > 0, local > 0, options.massOrphanFraction < 1 else { return nil }
        if listed == 0 {
            return "orphan check skipped: the platform listed no deployments while \(local) are local; if that is real, run `gwops sync --allow-mass-orphans`"
        }
        if orphans > 10, Double(orphans) > options.massOrphanFraction * Double(local) {
            return "orphan check skipped: \(orphans) of \(local) local artifacts are missing from the listing (over \(Int(options.massOrphanFraction * 100))%); if that is real, run `gwops sync --allow-mass-orphans`"
        }
        return nil
    }

    /// Orphan detection needs every listed id: one unreadable entry without an id could be any
    /// local artifact, so no orphan can be trusted.
    static func orphanDetectionIsSafe(_ listing: DeploymentListing) -> Bool {
        !listing.unreadable.contains { $0.artifactId == nil }
    }
}

/// What `SyncEngine.preview` found.
public struct SyncPreview: Sendable, Codable, Equatable {
    public var plan: SyncPlan
    public var unreadable: [UnreadableDeployment]
    public var verdicts: OrphanVerdicts
    public var listed: Int

    public init(plan: SyncPlan, unreadable: [UnreadableDeployment], verdicts: OrphanVerdicts, listed: Int) {
        self.plan = plan
        self.unreadable = unreadable
        self.verdicts = verdicts
        self.listed = listed
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        guard size > 0 else { return [self[...]] }
        return stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
