import Testing
import TestSupport
@testable import Core

struct SyncDiffTests {
    let t0 = Timestamp(milliseconds: 1_700_000_000_000)
    var t1: Timestamp { Timestamp(milliseconds: t0.milliseconds + 60_000) }

    @Test func newDeployedIsFetched() {
        let plan = SyncDiff.plan(remote: [Fixtures.remote("a")], local: [])
        #expect(plan.fetches == [PlannedFetch(deployment: Fixtures.remote("a"), reason: .new)])
    }

    @Test func newUndeployedIsIgnored() {
        let plan = SyncDiff.plan(remote: [Fixtures.remote("a", state: .undeployed)], local: [])
        #expect(plan.fetches.isEmpty)
        #expect(plan.ignoredUndeployed == 1)
    }

    @Test(arguments: [RemoteState.deployed, .undeployed])
    func deploymentIdMismatchFetchesAndKeepsRemoteState(state: RemoteState) {
        let remote = Fixtures.remote("a", state: state, deploymentId: "dep-new", deployedAt: t1)
        let plan = SyncDiff.plan(remote: [remote], local: [Fixtures.summary("a", deploymentId: "dep-old")])
        #expect(plan.fetches == [PlannedFetch(deployment: remote, reason: .deploymentChanged)])
        #expect(plan.fetches.first?.deployment.state.desiredState == state.desiredState)
        #expect(plan.statusUpdates.isEmpty)
    }

    @Test func stateChangeToUndeployedIsAStatusUpdate() {
        let plan = SyncDiff.plan(
            remote: [Fixtures.remote("a", state: .undeployed, deployedAt: t1)], local: [Fixtures.summary("a", deployedAt: t0)])
        #expect(plan.statusUpdates == [StatusChange(uuid: "a", kind: .restApi, state: .undeployed, deploymentId: "dep-a", deployedAt: t1)])
        #expect(plan.fetches.isEmpty)
    }

    @Test func stateChangeToDeployedIsAStatusUpdate() {
        let plan = SyncDiff.plan(
            remote: [Fixtures.remote("a", state: .deployed, deployedAt: t1)],
            local: [Fixtures.summary("a", state: .undeployed, deployedAt: t0)])
        #expect(plan.statusUpdates.map(\.state) == [.deployed])
    }

    @Test func newerRemoteIsFetched() {
        let plan = SyncDiff.plan(remote: [Fixtures.remote("a", deployedAt: t1)], local: [Fixtures.summary("a", deployedAt: t0)])
        #expect(plan.fetches.map(\.reason) == [.newerRemote])
    }

    @Test func undatedLocalIsFetched() {
        let plan = SyncDiff.plan(remote: [Fixtures.remote("a", deployedAt: t1)], local: [Fixtures.summary("a", deployedAt: nil)])
        #expect(plan.fetches.map(\.reason) == [.localUndated])
    }

    @Test func newerLocalIsReportedAsDriftNotFetched() {
        let plan = SyncDiff.plan(remote: [Fixtures.remote("a", deployedAt: t0)], local: [Fixtures.summary("a", deployedAt: t1)])
        #expect(plan.fetches.isEmpty)
        #expect(plan.drift == [Drift(artifactId: "a", localDeployedAt: t1, remoteDeployedAt: t0)])
    }

    @Test func unknownStateIsSkippedAndReported() {
        let failed = Fixtures.remote("a", state: .unknown("FAILED"), deployedAt: t1)
        let plan = SyncDiff.plan(remote: [failed], local: [Fixtures.summary("a", deployedAt: t0)])
        #expect(plan.unknownState == [failed])
        #expect(plan.fetches.isEmpty && plan.statusUpdates.isEmpty && plan.orphanCandidates.isEmpty)
    }

    @Test func equalIsInSync() {
        let plan = SyncDiff.plan(remote: [Fixtures.remote("a", deployedAt: t0)], local: [Fixtures.summary("a", deployedAt: t0)])
        #expect(plan.inSync == 1)
        #expect(plan.fetches.isEmpty && plan.statusUpdates.isEmpty && plan.drift.isEmpty)
    }

    @Test func localArtifactsNotListedAreOrphanCandidates() {
        let plan = SyncDiff.plan(remote: [Fixtures.remote("a")], local: [Fixtures.summary("a"), Fixtures.summary("gone")])
        #expect(plan.orphanCandidates.map(\.uuid) == ["gone"])
    }

    @Test func onlyControlPlaneArtifactsTakePart() {
        let local = [Fixtures.summary("mine", origin: .gatewayAPI), Fixtures.summary("cp-orphan")]
        let plan = SyncDiff.plan(remote: [Fixtures.remote("mine")], local: local)
        #expect(plan.orphanCandidates.map(\.uuid) == ["cp-orphan"])
        // The gateway-API artifact does not count as local: the listed one is new to sync.
        #expect(plan.fetches.map(\.reason) == [.new])
    }

    @Test func protectedIdsAreNeverOrphans() {
        let plan = SyncDiff.plan(remote: [], local: [Fixtures.summary("x")], protectedIds: ["x"])
        #expect(plan.orphanCandidates.isEmpty)
    }

    @Test func mixedCase() {
        // Given one of every situation
        let remote = [
            Fixtures.remote("new"), Fixtures.remote("new-undeployed", state: .undeployed),
            Fixtures.remote("moved", deploymentId: "dep-2", deployedAt: t1),
            Fixtures.remote("paused", state: .undeployed, deployedAt: t1), Fixtures.remote("newer", deployedAt: t1),
            Fixtures.remote("drifted", deployedAt: t0), Fixtures.remote("same", deployedAt: t0),
            Fixtures.remote("odd", state: .unknown("FAILED")),
        ]
        let local = [
            Fixtures.summary("moved"), Fixtures.summary("paused"), Fixtures.summary("newer"),
            Fixtures.summary("drifted", deployedAt: t1), Fixtures.summary("same"), Fixtures.summary("odd"),
            Fixtures.summary("orphan"),
        ]
        // When diffed
        let plan = SyncDiff.plan(remote: remote, local: local)
        // Then each lands in exactly one bucket
        #expect(plan.fetches.map(\.deployment.artifactId).sorted() == ["moved", "new", "newer"])
        #expect(plan.statusUpdates.map(\.uuid) == ["paused"])
        #expect(plan.drift.map(\.artifactId) == ["drifted"])
        #expect(plan.inSync == 1)
        #expect(plan.ignoredUndeployed == 1)
        #expect(plan.unknownState.map(\.artifactId) == ["odd"])
        #expect(plan.orphanCandidates.map(\.uuid) == ["orphan"])
    }

    @Test func fetchesComeInDependencyOrder() {
        let remote = [
            Fixtures.remote("m", kind: .mcp), Fixtures.remote("r", kind: .restApi), Fixtures.remote("x", kind: .llmProxy),
            Fixtures.remote("p", kind: .llmProvider),
        ]
        let plan = SyncDiff.plan(remote: remote, local: [])
        #expect(plan.fetchesInDependencyOrder.map(\.deployment.artifactId) == ["p", "x", "r", "m"])
    }
}
