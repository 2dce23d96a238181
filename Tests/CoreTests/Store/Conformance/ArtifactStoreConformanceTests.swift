import Testing
import TestSupport
@testable import Core

extension StoreConformance {
    /// Storage conformance, `ArtifactStore`: every method, its edge cases, on every backend. (The
    /// guarded write's basic cases are in `GuardedWriteTests`.)
    @Suite struct ArtifactStoreConformanceTests {
        let t0 = Timestamp(milliseconds: 1_700_000_000_000)
        var t1: Timestamp { Timestamp(milliseconds: t0.milliseconds + 1000) }

        @Test(arguments: Backend.allCases)
        func aWriteWithoutATimeNeverOverwritesARowWithATime(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
            // (Only an artifact managed through the gateway API may come without a time.) Nothing says
            // it is newer: stored.deployed_at < NULL is not true
            var untimed = Fixtures.artifact("a", deploymentId: "dep-x", deployedAt: nil)
            untimed.origin = .gatewayAPI
            #expect(try await f.store.upsertArtifacts([untimed]) == [.stale])
            let stored = try #require(try await f.store.artifact(uuid: "a"))
            #expect(stored.deploymentId == "dep-a" && stored.origin == .controlPlane)
            #expect(try await f.store.position().headSeq == 1)
            // And a control-plane artifact must carry one
            let rejected = try await f.store.upsertArtifacts([Fixtures.artifact("b", deployedAt: nil)])
            #expect(rejected == [.rejected("artifact b has no deployedAt")])
        }

        @Test(arguments: Backend.allCases)
        func aGatewayManagedArtifactIsNeverOverwrittenFromTheControlPlane(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            var local = Fixtures.artifact("a", deployedAt: t0)
            local.origin = .gatewayAPI
            #expect(try await f.store.upsertArtifacts([local]) == [.inserted])
            let outcome = try await f.store.upsertArtifacts([Fixtures.artifact("a", deploymentId: "dep-2", deployedAt: t1)])
            #expect(outcome == [.rejected("artifact a is managed through the gateway API, not the control plane")])
            #expect(try await f.store.updateStatuses([StatusChange(uuid: "a", kind: .restApi, state: .undeployed, deploymentId: "dep-2", deployedAt: t1)]) == [.stale])
            let stored = try #require(try await f.store.artifact(uuid: "a"))
            #expect(stored.origin == .gatewayAPI && stored.deploymentId == "dep-a" && stored.desiredState == .deployed)
        }

        @Test(arguments: Backend.allCases)
        func oneBatchWritesEachArtifactOnItsOwnMerits(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("old", deployedAt: t1)])
            var nameless = Fixtures.artifact("bad", deployedAt: t0)
            nameless.handle = ""
            let outcomes = try await f.store.upsertArtifacts([
                Fixtures.artifact("new", deployedAt: t0), Fixtures.artifact("old", deploymentId: "dep-older", deployedAt: t0), nameless,
            ])
            #expect(outcomes.count == 3)
            #expect(outcomes[0] == .inserted && outcomes[1] == .stale)
            guard case .rejected = outcomes[2] else { Issue.record("a nameless artifact was written: \(outcomes[2])"); return }
            #expect(try await f.store.artifactSummaries().map(\.uuid).sorted() == ["new", "old"])
            #expect(try await f.store.events(after: 1, limit: 10).map(\.entityId) == ["new"], "only what was written publishes")
        }

        @Test(arguments: Backend.allCases)
        func copiesOfOneArtifactInABatchMeetEachOtherInOrder(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            // Given a batch of 1,203 (more than one id probe of the hub's publish), with "a" three
            // times: new, newer, older
            let many = (0..<1200).map { Fixtures.artifact(String(format: "m%04d", $0), deployedAt: t0) }
            let batch = [Fixtures.artifact("a", deployedAt: t0)] + many
                + [Fixtures.artifact("a", deploymentId: "dep-2", deployedAt: t1), Fixtures.artifact("a", deploymentId: "dep-0", deployedAt: t0)]
            // When it is written
            let outcomes = try await f.store.upsertArtifacts(batch)
            // Then each copy meets the row the ones before it left, and the events follow the batch
            #expect(outcomes.first == .inserted && outcomes.suffix(2) == [.updated, .stale])
            #expect(outcomes.dropFirst().dropLast(2).allSatisfy { $0 == .inserted })
            #expect(try await f.store.artifact(uuid: "a")?.deploymentId == "dep-2")
            let events = try await f.store.events(after: 0, limit: 2000)
            #expect(events.map(\.entityId) == ["a"] + many.map(\.uuid) + ["a"])
            #expect(events.map(\.action) == Array(repeating: .create, count: 1201) + [.update])
        }

        @Test(arguments: Backend.allCases)
        func statusUpdatesFollowTheGuardedWriteAndTheSameDeploymentsStateChange(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deploymentId: "dep-a", deployedAt: t0)])
            let change = { (state: DesiredState, deployment: String, at: Timestamp) in
                StatusChange(uuid: "a", kind: .restApi, state: state, deploymentId: deployment, deployedAt: at)
            }
            // The same deployment at the same time in another state: applied (an undeploy of it)
            #expect(try await f.store.updateStatuses([change(.undeployed, "dep-a", t0)]) == [.updated])
            // The same again: nothing to change
            #expect(try await f.store.updateStatuses([change(.undeployed, "dep-a", t0)]) == [.stale])
            // Another deployment at the same time: not newer
            #expect(try await f.store.updateStatuses([change(.deployed, "dep-b", t0)]) == [.stale])
            // Newer: applied; an absent artifact: nothing
            let absent = StatusChange(uuid: "nobody", kind: .restApi, state: .deployed, deploymentId: "d", deployedAt: t1)
            #expect(try await f.store.updateStatuses([change(.deployed, "dep-b", t1), absent]) == [.updated, .stale])
            let stored = try #require(try await f.store.artifact(uuid: "a"))
            #expect(stored.desiredState == .deployed && stored.deploymentId == "dep-b" && stored.deployedAt == t1)
            let events = try await f.store.events(after: 1, limit: 10)
            #expect(events.map(\.action) == [.update, .update])
            #expect(ArtifactEvents.decode(events[0])?.desiredState == .undeployed)
        }

        @Test(arguments: Backend.allCases)
        func readsOfArtifacts(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            #expect(try await f.store.artifact(uuid: "nobody") == nil)
            #expect(try await f.store.artifactSummaries().isEmpty)
            #expect(try await f.store.artifactCounts() == ArtifactCounts())
            _ = try await f.store.upsertArtifacts([
                Fixtures.artifact("a", kind: .restApi, deployedAt: t0), Fixtures.artifact("b", kind: .mcp, state: .undeployed, deployedAt: t0),
                Fixtures.artifact("c", kind: .mcp, deployedAt: t0),
            ])
            let a = try #require(try await f.store.artifact(uuid: "a"))
            #expect(a == Fixtures.artifact("a", kind: .restApi, deployedAt: t0))
            #expect(Set(try await f.store.artifactSummaries()) == Set([
                Fixtures.summary("a", kind: .restApi, deployedAt: t0), Fixtures.summary("b", kind: .mcp, state: .undeployed, deployedAt: t0),
                Fixtures.summary("c", kind: .mcp, deployedAt: t0),
            ]))
            var counts = ArtifactCounts()
            counts.total = 3
            counts.deployed = 2
            counts.undeployed = 1
            counts.byKind = [ArtifactKind.restApi.rawValue: 1, ArtifactKind.mcp.rawValue: 2]
            #expect(try await f.store.artifactCounts() == counts)
        }

        @Test(arguments: Backend.allCases)
        func dependentsAndKeyCountsPerArtifact(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0), Fixtures.artifact("b", deployedAt: t0)])
            for i in 0..<2 { try await f.store.addAPIKey(APIKeyRecord(id: "k\(i)", artifactUUID: "a", name: "n\(i)", createdAt: t0)) }
            try await f.store.addSubscription(SubscriptionRecord(id: "s", artifactUUID: "b", applicationId: "app", createdAt: t0))
            #expect(try await f.store.dependents(of: ["a", "b", "nobody"]) == [
                "a": Dependents(apiKeys: 2), "b": Dependents(subscriptions: 1), "nobody": Dependents(),
            ])
            #expect(try await f.store.dependents(of: []) == [:])
            #expect(try await f.store.apiKeyCounts() == ["a": 2], "artifacts without keys are absent")
        }
    }
}
