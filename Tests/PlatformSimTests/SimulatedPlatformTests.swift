import Foundation
import PlatformSim
import Testing

@testable import Core

/// The simulated platform's state machine, driven directly through the actor.
struct SimulatedPlatformTests {
    // MARK: - Generation

    @Test func sameSeedGeneratesTheSamePlatform() async {
        let first = SimulatedPlatform(deployments: 300, seed: 7)
        let second = SimulatedPlatform(deployments: 300, seed: 7)
        let a = await first.all(), b = await second.all()
        #expect(a.count == 300)
        #expect(a == b)
        let listingA = await first.listing(since: nil).map { $0.1 }
        let listingB = await second.listing(since: nil).map { $0.1 }
        #expect(listingA == listingB)
    }

    @Test func differentSeedGeneratesADifferentPlatform() async {
        let a = await SimulatedPlatform(deployments: 300, seed: 7).all()
        let b = await SimulatedPlatform(deployments: 300, seed: 8).all()
        #expect(Set(a.map(\.id)).isDisjoint(with: b.map(\.id)))
        #expect(a.map(\.kind) != b.map(\.kind))
        #expect(a.map { $0.deployment?.deploymentId } != b.map { $0.deployment?.deploymentId })
    }

    @Test func idsAndDeploymentIdsAreUnique() async {
        let all = await SimulatedPlatform(deployments: 2_000, seed: 3).all()
        #expect(Set(all.map(\.id)).count == all.count)
        #expect(Set(all.compactMap { $0.deployment?.deploymentId }).count == all.count)
        #expect(Set(all.map(\.handle)).count == all.count)
    }

    @Test func everyKindIsPresentInAThousand() async {
        let all = await SimulatedPlatform(deployments: 1_000, seed: 11).all()
        let counts = Dictionary(grouping: all, by: \.kind).mapValues(\.count)
        #expect(Set(counts.keys) == Set(ArtifactKind.allCases))
        // Each kind is a sizeable share, not a token artifact.
        #expect(counts.values.allSatisfy { $0 >= 50 }, "\(counts)")
    }

    @Test(arguments: [1, 2, 42] as [UInt64])
    func everyLlmProxyReferencesAnExistingLlmProvider(seed: UInt64) async {
        let all = await SimulatedPlatform(deployments: 500, seed: seed).all()
        let providers = Set(all.filter { $0.kind == .llmProvider }.map(\.id))
        let proxies = all.filter { $0.kind == .llmProxy }
        #expect(!proxies.isEmpty)
        for proxy in proxies {
            #expect(proxy.providerId.map(providers.contains) == true, "\(proxy.id) → \(proxy.providerId ?? "nil")")
        }
        #expect(all.filter { $0.kind != .llmProxy }.allSatisfy { $0.providerId == nil })
    }

    @Test func firstArtifactIsNeverAnOrphanedProxy() async {
        // A proxy cannot be generated before any provider exists, whatever the seed.
        for seed in UInt64(0)..<50 {
            let first = await SimulatedPlatform(deployments: 1, seed: seed).all()
            #expect(first.first?.kind != .llmProxy)
        }
    }

    @Test func aboutTenPercentAreUndeployed() async {
        let all = await SimulatedPlatform(deployments: 2_000, seed: 5).all()
        #expect(all.allSatisfy { $0.deployment != nil })
        let undeployed = all.filter { $0.deployment?.state == .undeployed }.count
        #expect((100...300).contains(undeployed), "\(undeployed) of 2000 undeployed")
    }

    @Test func generatedTimesAreMillisecondPreciseAndEtagMatches() async {
        let all = await SimulatedPlatform(deployments: 200, seed: 9).all()
        for d in all.compactMap(\.deployment) {
            #expect(d.deployedAt == d.deployedAt.millisecondPrecision)
            #expect(d.deployedAt >= SimulatedPlatform.baseTime)
            #expect(d.etag == DeploymentEtag.make(deploymentId: d.deploymentId, deployedAt: d.deployedAt))
        }
    }

    // MARK: - Admin operations

    @Test func deployGivesANewDeploymentIdAndALaterTime() async throws {
        // Given an undeployed artifact
        let platform = SimulatedPlatform(deployments: 200, seed: 5)
        let before = try #require(await platform.all().first { $0.deployment?.state == .undeployed })
        let old = try #require(before.deployment)

        // When it is deployed
        let after = try #require(await platform.deploy(before.id))

        // Then it has a new deployment id, a later time, state DEPLOYED and a new revision
        let new = try #require(after.deployment)
        #expect(new.deploymentId != old.deploymentId)
        #expect(new.deployedAt > old.deployedAt)
        #expect(new.state == .deployed)
        #expect(after.revision == before.revision + 1)
        #expect(await platform.artifact(before.id) == after)
    }

    @Test func consecutiveDeploysHaveStrictlyIncreasingTimes() async throws {
        let platform = SimulatedPlatform(deployments: 3, seed: 5)
        let id = try #require(await platform.all().first?.id)
        var times: [Timestamp] = []
        for _ in 0..<20 { times.append(try #require(await platform.deploy(id)?.deployment?.deployedAt)) }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func undeployKeepsTheDeploymentIdAndChangesStateAndTime() async throws {
        // Given a deployed artifact
        let platform = SimulatedPlatform(deployments: 50, seed: 5)
        let before = try #require(await platform.all().first { $0.deployment?.state == .deployed })
        let old = try #require(before.deployment)

        // When it is undeployed
        let new = try #require(await platform.undeploy(before.id)?.deployment)

        // Then the deployment id stays, the state and time change, and the listing agrees
        #expect(new.deploymentId == old.deploymentId)
        #expect(new.state == .undeployed)
        #expect(new.deployedAt > old.deployedAt)
        #expect(new.etag != old.etag)
        let listed = await platform.listing(since: nil).first { $0.0.id == before.id }?.1
        #expect(listed == new)
    }

    @Test func deleteDeploymentKeepsTheArtifactButDropsItFromTheListing() async throws {
        // Given a deployed artifact
        let platform = SimulatedPlatform(deployments: 50, seed: 5)
        let artifact = try #require(await platform.all().first)
        let deploymentId = try #require(artifact.deployment?.deploymentId)

        // When its deployment record is deleted
        let changed = try #require(await platform.deleteDeployment(artifact.id))

        // Then it still exists but is neither listed nor fetchable, and a second delete finds nothing
        #expect(changed.deployment == nil)
        #expect(await platform.exists(artifact.id))
        #expect(await platform.all().contains { $0.id == artifact.id })
        #expect(await !platform.listing(since: nil).contains { $0.0.id == artifact.id })
        #expect(await platform.contents(deploymentIds: [deploymentId]).isEmpty)
        #expect(await platform.deleteDeployment(artifact.id) == nil)
        #expect(await platform.undeploy(artifact.id) == nil)
    }

    @Test func deleteArtifactRemovesArtifactAndDeployment() async throws {
        let platform = SimulatedPlatform(deployments: 50, seed: 5)
        let artifact = await platform.all()[10]
        let listedBefore = await platform.listing(since: nil).count

        let removed = await platform.deleteArtifact(artifact.id)

        #expect(removed?.id == artifact.id)
        #expect(await !platform.exists(artifact.id))
        #expect(await platform.artifact(artifact.id) == nil)
        #expect(await platform.all().count == 49)
        #expect(await platform.listing(since: nil).count == listedBefore - 1)
        #expect(await platform.deleteArtifact(artifact.id) == nil)
        #expect(await platform.deploy(artifact.id) == nil)
    }

    @Test func deployAfterDeleteDeploymentListsTheArtifactAgain() async throws {
        let platform = SimulatedPlatform(deployments: 20, seed: 5)
        let id = try #require(await platform.all().first?.id)
        _ = await platform.deleteDeployment(id)
        let redeployed = try #require(await platform.deploy(id)?.deployment)
        #expect(await platform.listing(since: nil).contains { $0.0.id == id && $0.1 == redeployed })
    }

    @Test func createAddsDeployedArtifactsNewerThanTheRest() async throws {
        // Given a platform with 100 artifacts
        let platform = SimulatedPlatform(deployments: 100, seed: 5)
        let newestBefore = try #require(await platform.all().compactMap { $0.deployment?.deployedAt }.max())

        // When 30 more are created
        let made = await platform.create(count: 30)

        // Then they are new, deployed, listed and newer than anything before
        #expect(made.count == 30)
        #expect(await platform.all().count == 130)
        #expect(made.allSatisfy { $0.deployment?.state == .deployed })
        #expect(made.allSatisfy { ($0.deployment?.deployedAt ?? .init(microseconds: 0)) > newestBefore })
        let listed = Set(await platform.listing(since: nil).map { $0.0.id })
        #expect(made.allSatisfy { listed.contains($0.id) })
    }

    @Test(arguments: ArtifactKind.allCases)
    func createOfAKindMakesOnlyThatKind(kind: ArtifactKind) async {
        let platform = SimulatedPlatform(deployments: 10, seed: 5)
        let made = await platform.create(count: 5, kind: kind)
        #expect(made.map(\.kind) == Array(repeating: kind, count: 5))
    }

    // MARK: - Listing and contents

    @Test func listingSinceIsStrictlyAfter() async throws {
        let platform = SimulatedPlatform(deployments: 40, seed: 5)
        let all = await platform.listing(since: nil)
        let pivot = all[all.count / 2].1.deployedAt
        let recent = await platform.listing(since: pivot)
        #expect(!recent.contains { $0.1.deployedAt == pivot })
        #expect(recent.allSatisfy { $0.1.deployedAt > pivot })
        #expect(recent.count == all.filter { $0.1.deployedAt > pivot }.count)
    }

    @Test func contentsAnswerOnlyKnownDeploymentIds() async throws {
        let platform = SimulatedPlatform(deployments: 20, seed: 5)
        let ids = await platform.all().prefix(3).compactMap { $0.deployment?.deploymentId }
        let contents = await platform.contents(deploymentIds: ids + ["dep-unknown"])
        #expect(Set(contents.map { $0.1.deploymentId }) == Set(ids))
    }

    // MARK: - Faults

    @Test func faultIsTakenCountTimesForItsEndpointOnly() async {
        let platform = SimulatedPlatform(deployments: 1, seed: 5)
        await platform.addFault(SimFault(endpoint: .exists, status: 503, count: 2))
        #expect(await platform.takeFault(.deployments) == nil)
        #expect(await platform.takeFault(.exists)?.status == 503)
        #expect(await platform.takeFault(.exists)?.status == 503)
        #expect(await platform.takeFault(.exists) == nil)
    }

    @Test func clearFaultsRemovesPendingFaults() async {
        let platform = SimulatedPlatform(deployments: 1, seed: 5)
        await platform.addFault(SimFault(endpoint: .deployments, status: 500, count: 5))
        await platform.clearFaults()
        #expect(await platform.takeFault(.deployments) == nil)
    }
}
