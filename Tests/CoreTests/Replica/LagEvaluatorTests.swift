import Testing
import TestSupport
@testable import Core

struct LagEvaluatorTests {
    let now = Timestamp(milliseconds: 1_800_000_000_000)

    func input(applied: Int64, head: Int64 = 100, heartbeatAgo: Double = 1, state: ReplicaState = .running,
               oldest: Int64 = 1, unappliedAgo: Double? = 5, samples: [(ago: Double, applied: Int64, head: Int64)] = []) -> LagInput {
        let replica = ReplicaRecord(
            replicaId: "r1", gatewayId: "g", host: "h", pid: 1, startedAt: now.adding(seconds: -3600),
            heartbeatAt: now.adding(seconds: -heartbeatAgo), appliedSeq: applied, appliedAt: nil, state: state, resyncs: 0)
        return LagInput(
            replica: replica, position: HubPosition(headSeq: head, oldestSeq: oldest),
            firstUnappliedAt: unappliedAgo.map { now.adding(seconds: -$0) },
            samples: samples.map { LagSample(replicaId: "r1", sampledAt: now.adding(seconds: -$0.ago), headSeq: $0.head, appliedSeq: $0.applied, lagSeconds: 0) },
            now: now)
    }

    @Test func deadReplicaIsDownEvenWhenCaughtUp() {
        let report = LagEvaluator.evaluate(input(applied: 100, heartbeatAgo: 60, unappliedAgo: nil), thresholds: LagThresholds())
        #expect(report.status == .down)
        #expect(report.reason?.contains("no heartbeat") == true)
    }

    @Test func idleCaughtUpReplicaWithFreshHeartbeatIsOK() {
        let report = LagEvaluator.evaluate(input(applied: 100, unappliedAgo: nil), thresholds: LagThresholds())
        #expect(report.status == .ok && report.lagEvents == 0 && report.lagSeconds == 0)
    }

    @Test func stalledReplicaIsStall() {
        // Given a cursor that has not moved for the whole 30 s window while events wait
        let samples = [(ago: 29.0, applied: Int64(40), head: Int64(90)), (15, 40, 95), (1, 40, 100)]
        let report = LagEvaluator.evaluate(input(applied: 40, unappliedAgo: 35, samples: samples), thresholds: LagThresholds())
        #expect(report.status == .stall)
        #expect(report.lagEvents == 60)
        #expect(report.lagSeconds == 35)
        #expect(report.reason?.contains("seq 40") == true)
    }

    @Test func cursorBelowRetentionFloorIsGone() {
        let report = LagEvaluator.evaluate(input(applied: 3, oldest: 50), thresholds: LagThresholds())
        #expect(report.status == .gone)
    }

    @Test func reloadingReplicaIsGone() {
        #expect(LagEvaluator.evaluate(input(applied: 3, state: .reloading), thresholds: LagThresholds()).status == .gone)
    }

    @Test func laggingWithoutAFullWindowIsWarming() {
        let report = LagEvaluator.evaluate(input(applied: 90, samples: [(ago: 2, applied: 85, head: 100)]), thresholds: LagThresholds())
        #expect(report.status == .warming)
    }

    @Test func lagNotShrinkingIsWarn() {
        let samples = [(ago: 29.0, applied: Int64(10), head: Int64(20)), (1, 80, 100)]
        let report = LagEvaluator.evaluate(input(applied: 80, samples: samples), thresholds: LagThresholds())
        #expect(report.status == .warn)
    }

    @Test func shrinkingLagIsOK() {
        let samples = [(ago: 29.0, applied: Int64(10), head: Int64(60)), (1, 95, 100)]
        #expect(LagEvaluator.evaluate(input(applied: 95, samples: samples), thresholds: LagThresholds()).status == .ok)
    }

    @Test func lowHeadroomIsWarn() {
        var t = LagThresholds()
        t.retention = .seconds(100)
        let report = LagEvaluator.evaluate(input(applied: 95, unappliedAgo: 90), thresholds: t)
        #expect(report.status == .warn)
        #expect(report.reason?.contains("headroom") == true)
    }

    @Test func fleetStatusIsTheWorstReplica() {
        let ok = LagEvaluator.evaluate(input(applied: 100, unappliedAgo: nil), thresholds: LagThresholds())
        let down = LagEvaluator.evaluate(input(applied: 100, heartbeatAgo: 99, unappliedAgo: nil), thresholds: LagThresholds())
        #expect(LagEvaluator.fleetStatus([ok, down]) == .down)
        #expect(LagEvaluator.fleetStatus([]) == .warming)
    }

    @Test(arguments: Backend.allCases)
    func fleetLagReadsDeadReplicaFromTheStore(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.publish([EventHubTests.event("x")])
        _ = try await f.store.registerReplica(id: "alive", host: "h", pid: 1)
        try await f.store.heartbeat(id: "alive", appliedSeq: 1, appliedAt: nil, state: .running, resyncs: 0)
        _ = try await f.store.registerReplica(id: "dead", host: "h", pid: 2)
        var t = LagThresholds()
        // Generous: a loaded machine may stall seconds between the heartbeat and the read.
        t.heartbeatTimeout = .seconds(4)
        try await Task.sleep(for: .milliseconds(4500))
        try await f.store.heartbeat(id: "alive", appliedSeq: 1, appliedAt: nil, state: .running, resyncs: 0)
        let reports = try await FleetLag.reports(store: f.store, thresholds: t)
        #expect(reports.first { $0.replicaId == "alive" }?.status == .ok)
        #expect(reports.first { $0.replicaId == "dead" }?.status == .down)
        #expect(reports.first { $0.replicaId == "dead" }?.lagEvents == 1)
    }
}
