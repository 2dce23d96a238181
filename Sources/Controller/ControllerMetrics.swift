import Core
import ControlSocket
import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Synchronization

/// The controller's Prometheus metrics (`[metrics] listen`), read from the store at each scrape:
/// the hub, each replica's cursor, lag and heartbeat, orphans by status, sync runs, and what the
/// controller last heard from the platform. A lag alert is one rule away:
/// `gwops_replica_status{status!="OK"} == 1`.
public final class ControllerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let store: any GatewayStore
    let thresholds: LagThresholds
    let health: PlatformHealth
    /// The control socket's connections and refusals, when the controller serves one.
    let controlSocket: (@Sendable () -> ControlSocketStats)?
    /// Runs that started before are not counted (the counters start at zero with the process).
    let startedAt: Timestamp
    private let state = Mutex(State())

    struct State {
        var countedRuns: Set<Int64> = []
        var replicaGauges: [String: [Gauge]] = [:]
        /// The refusals already added to `gwops_control_refused_total`.
        var countedRefusals: [RefusalReason: Int] = [:]
    }

    static let durationBuckets: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(900)]

    public init(
        store: any GatewayStore, thresholds: LagThresholds, health: PlatformHealth, startedAt: Timestamp = .now,
        controlSocket: (@Sendable () -> ControlSocketStats)? = nil
    ) {
        self.store = store
        self.thresholds = thresholds
        self.health = health
        self.controlSocket = controlSocket
        self.startedAt = startedAt
    }

    /// The metrics in Prometheus text format, as the store says now.
    public func render() async throws -> String {
        let status = try await StatusReport.gather(store: store, thresholds: thresholds)
        let runs = try await store.syncRuns(limit: 200)
        gauge("gwops_hub_head_seq", "Newest event sequence number of the gateway's event hub").set(Double(status.eventHub.headSeq))
        gauge("gwops_hub_oldest_seq", "Oldest event sequence number the hub still retains").set(Double(status.eventHub.oldestSeq))
        updateReplicas(status.replicas)
        for (name, value) in [("pending", status.reviews.pending), ("unverified", status.reviews.unverified), ("retained", status.reviews.retained)] {
            gauge("gwops_orphans", "Orphan reviews waiting for an operator, by status", ["status": name]).set(Double(value))
        }
        gauge("gwops_artifacts", "Artifacts in the store").set(Double(status.artifacts.total))
        updateRuns(runs)
        let platform = health.snapshot
        gauge("gwops_platform_reachable", "1 when the platform answered the controller's last call, 0 when it did not, -1 before any call")
            .set(Double(platform.reachable.map { $0 ? 1 : 0 } ?? -1))
        if let listed = platform.lastListingAt {
            gauge("gwops_platform_last_listing_timestamp_seconds", "When the controller last listed the gateway's deployments").set(listed.seconds)
        }
        if let controlSocket { updateControlSocket(controlSocket()) }
        return registry.emitToString()
    }

    private func updateControlSocket(_ stats: ControlSocketStats) {
        for role in [Role.viewer, .operator] {
            gauge("gwops_control_connections", "Control socket connections served now, by the caller's role", ["role": role.rawValue])
                .set(Double(stats.connections[role] ?? 0))
        }
        let added = state.withLock { s -> [(RefusalReason, Int)] in
            let added = RefusalReason.allCases.map { ($0, (stats.refused[$0] ?? 0) - (s.countedRefusals[$0] ?? 0)) }
            s.countedRefusals = stats.refused
            return added
        }
        for (reason, count) in added {
            let counter = registry.makeCounter(descriptor: Self.refusedTotal, labels: [("reason", reason.rawValue)])
            if count > 0 { counter.increment(by: Int64(count)) }
        }
    }

    private func updateReplicas(_ replicas: [StatusReport.Replica]) {
        let made = replicas.map { r -> (String, [Gauge]) in
            let labels = ["replica": r.id]
            var gauges = [
                gauge("gwops_replica_cursor_seq", "Last hub event the replica applied", labels),
                gauge("gwops_replica_lag_events", "Hub events the replica has not applied", labels),
                gauge("gwops_replica_lag_seconds", "Age of the oldest event the replica has not applied", labels),
                gauge("gwops_replica_heartbeat_age_seconds", "Time since the replica's last heartbeat", labels),
            ]
            gauges[0].set(Double(r.appliedSeq))
            gauges[1].set(Double(r.lagEvents))
            gauges[2].set(r.lagSeconds)
            gauges[3].set(r.heartbeatAgeSeconds)
            for word in LagStatus.allCases {
                let g = gauge("gwops_replica_status", "1 for the replica's lag status (OK, WARN, STALL, DOWN...), 0 for the others",
                              ["replica": r.id, "status": word.rawValue])
                g.set(Double(word.rawValue == r.status ? 1 : 0))
                gauges.append(g)
            }
            return (r.id, gauges)
        }
        let current: [String: [Gauge]] = Dictionary(made, uniquingKeysWith: { a, _ in a })
        let gone = state.withLock { s -> [Gauge] in
            let gone = s.replicaGauges.filter { current[$0.key] == nil }.flatMap(\.value)
            s.replicaGauges = current
            return gone
        }
        for g in gone { registry.unregisterGauge(g) }
    }

    /// Counts each run that finished since the controller started, once; the last run's counters.
    private func updateRuns(_ runs: [SyncRunRecord]) {
        let fresh = state.withLock { s -> [SyncRunRecord] in
            let fresh = runs.filter { $0.finishedAt != nil && $0.startedAt >= startedAt && !s.countedRuns.contains($0.id) }
            s.countedRuns.formUnion(fresh.map(\.id))
            return fresh
        }
        for run in fresh {
            registry.makeCounter(descriptor: Self.runsTotal, labels: [("outcome", run.outcome.rawValue)])
                .increment()
            if let finished = run.finishedAt {
                registry.makeDurationHistogram(descriptor: Self.named("gwops_sync_run_duration_seconds", "How long sync runs took"), buckets: Self.durationBuckets)
                    .recordNanoseconds(max(0, (finished.microseconds - run.startedAt.microseconds) * 1000))
            }
        }
        for outcome in SyncOutcome.allWords {
            _ = registry.makeCounter(descriptor: Self.runsTotal, labels: [("outcome", outcome)])
        }
        guard let last = runs.first(where: { $0.finishedAt != nil }) else { return }
        gauge("gwops_sync_last_run_timestamp_seconds", "When the last finished sync run started").set(last.startedAt.seconds)
        let c = last.counters
        for (name, value) in [("listed", c.listed), ("fetched", c.fetched), ("status_updated", c.statusUpdated), ("pending_deletion", c.pendingDeletion),
                              ("retained", c.retained), ("unverified", c.unverified), ("deleted", c.deleted), ("errors", c.errors)] {
            gauge("gwops_sync_last_run", "Counters of the last finished sync run", ["counter": name]).set(Double(value))
        }
        for outcome in SyncOutcome.allWords {
            gauge("gwops_sync_last_run_outcome", "1 for the last finished sync run's outcome", ["outcome": outcome])
                .set(Double(last.outcome.rawValue == outcome ? 1 : 0))
        }
    }

    /// A metric's whole name (unit included) and its help line.
    private static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private static var refusedTotal: MetricNameDescriptor {
        named("gwops_control_refused_total", "Control socket connections closed unserved since the controller started, by reason")
    }

    private static var runsTotal: MetricNameDescriptor { named("gwops_sync_runs_total", "Sync runs finished since the controller started, by outcome") }

    private func gauge(_ name: String, _ help: String, _ labels: [String: String] = [:]) -> Gauge {
        registry.makeGauge(descriptor: Self.named(name, help), labels: labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }
}

extension SyncOutcome {
    /// The outcomes a finished run can have.
    static let allWords = ["succeeded", "partial", "failed", "abandoned"]
}
