import Testing
@testable import Core

/// After a heal, a deferred deploy or undeploy is acknowledged by what the store holds.
struct DeferredAcksTests {
    static let at = Timestamp(rfc3339: "2026-11-30T10:00:00.123Z")!
    static let action = LiveDeploymentAction(kind: .restApi, artifactId: "a", deploymentId: "d1", performedAt: at)

    static func stored(_ dep: String, _ at: Timestamp, _ state: DesiredState) -> ArtifactSummary {
        ArtifactSummary(uuid: "a", handle: "h", kind: .restApi, desiredState: state, deploymentId: dep, deployedAt: at)
    }

    @Test(arguments: [
        // (case, deploy?, stored, last heal?, expected)
        ("deploy applied", true, stored("d1", at, .deployed), false, DeferredAcks.Resolution.ack(DeploymentAck(action, deploy: true))),
        ("deploy not yet", true, nil, false, .retry),
        ("deploy not yet, heals ran out", true, nil, true, .ack(DeploymentAck(action, deploy: true, failed: DeploymentAck.processingError))),
        ("deploy superseded", true, stored("d2", at.adding(seconds: 1), .deployed), false, .drop),
        ("older deployment still stored", true, stored("d0", at.adding(seconds: -60), .deployed), true,
         .ack(DeploymentAck(action, deploy: true, failed: DeploymentAck.processingError))),
        ("undeploy applied", false, stored("d1", at, .undeployed), false, .ack(DeploymentAck(action, deploy: false))),
        ("undeploy of an artifact not here", false, nil, false, .ack(DeploymentAck(action, deploy: false))),
        ("undeploy not yet", false, stored("d1", at.adding(seconds: -5), .deployed), false, .retry),
    ] as [(String, Bool, ArtifactSummary?, Bool, DeferredAcks.Resolution)])
    func resolution(why: String, deploy: Bool, stored: ArtifactSummary?, lastHeal: Bool, expected: DeferredAcks.Resolution) {
        #expect(DeferredAcks.resolve(Self.action, deploy: deploy, stored: stored, lastHeal: lastHeal) == expected, "\(why)")
    }

    @Test func entriesWaitUntilAppliedOrOutOfHeals() async {
        let acks = DeferredAcks(maxHeals: 2)
        await acks.add(Self.action, deploy: true)
        // First heal: not applied yet, kept
        #expect(await acks.resolve { _ in nil }.isEmpty)
        #expect(await !acks.isEmpty)
        // Second heal: still not applied, heals ran out: failed
        let final = await acks.resolve { _ in nil }
        #expect(final == [DeploymentAck(Self.action, deploy: true, failed: DeploymentAck.processingError)])
        #expect(await acks.isEmpty)
    }
}
