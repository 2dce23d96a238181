import Synchronization
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// Loading API keys and subscriptions as a gateway does when it connects, on both backends.
struct CredentialLoadTests {
    static let actor = Principal(user: "alice", clientAddress: nil)

    @Test(arguments: Backend.allCases)
    func theStoreHoldsThePlatformsKeysAndSubscriptionsAndOrphansShowThem(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 120, seed: 5) { h in
            // Given a synced gateway
            _ = try await SyncEndToEndTests.engine(f, h).run(trigger: .cli, requestedBy: Self.actor)
            // When it loads keys and subscriptions
            let report = try await CredentialLoad(store: f.store, platform: h.client()).run()
            // Then every deployed artifact has exactly the platform's
            #expect(report.failed == 0)
            var keys = 0, subscriptions = 0
            for a in await h.platform.all() where a.deployment != nil {
                let platformKeys = await h.simulator.credentials.keys(of: a)
                #expect(try await f.store.apiKeys(of: a.id).map(\.id).sorted() == platformKeys.map(\.uuid).sorted(), "\(a.kind) \(a.id)")
                keys += platformKeys.count
                guard a.deployment?.state == .deployed else { continue }
                let platformSubscriptions = await h.simulator.credentials.subscriptions(of: a)
                #expect(try await f.store.subscriptions(of: a.id).map(\.id).sorted() == platformSubscriptions.map(\.id).sorted())
                subscriptions += platformSubscriptions.count
            }
            #expect(report.apiKeys == keys && report.subscriptions == subscriptions)
            #expect(keys > 20 && subscriptions > 10)

            // And when the platform deletes an API with both, the orphan review counts them
            var candidate: SimArtifact?
            for a in await h.platform.all() where a.kind == .restApi && a.deployment?.state == .deployed {
                if await !h.simulator.credentials.keys(of: a).isEmpty, await !h.simulator.credentials.subscriptions(of: a).isEmpty {
                    candidate = a
                    break
                }
            }
            let victim = try #require(candidate)
            let stake = Dependents(
                apiKeys: await h.simulator.credentials.keys(of: victim).count,
                subscriptions: await h.simulator.credentials.subscriptions(of: victim).count)
            _ = await h.platform.deleteArtifact(victim.id)
            _ = try await SyncEndToEndTests.engine(f, h).run(trigger: .cli, requestedBy: Self.actor)
            let review = try #require(try await f.store.reviewHistory(artifactUUID: victim.id).first)
            #expect(Dependents(apiKeys: review.apiKeys, subscriptions: review.subscriptions) == stake)
        }
    }

    @Test func aFailedListingKeepsWhatIsStoredAndARevocationIsLoaded() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 60, seed: 6) { h in
            _ = try await SyncEndToEndTests.engine(f, h).run(trigger: .cli, requestedBy: Self.actor)
            _ = try await CredentialLoad(store: f.store, platform: h.client()).run()
            let all = await h.platform.all()
            let keyed = try #require(all.first { $0.kind == .restApi && $0.deployment?.state == .deployed })
            let key = await h.simulator.credentials.createKey(for: keyed)
            _ = try await CredentialLoad(store: f.store, platform: h.client()).run()
            let before = try await f.store.apiKeys(of: keyed.id).count
            #expect(try await f.store.apiKeys(of: keyed.id).contains { $0.id == key.uuid })
            // When every listing fails (a refused key)
            let failed = try await CredentialLoad(store: f.store, platform: h.client(apiKey: "wrong")).run()
            // Then nothing stored is lost, and the failures say why
            #expect(failed.failed > 0 && failed.failures.allSatisfy { $0.contains("401") })
            #expect(try await f.store.apiKeys(of: keyed.id).count == before)
            // And a key revoked on the platform while no live path ran is gone after the next load
            _ = await h.simulator.credentials.revokeKey(of: keyed, named: key.name)
            _ = try await CredentialLoad(store: f.store, platform: h.client()).run()
            #expect(try await f.store.apiKeys(of: keyed.id).count == before - 1)
        }
    }

    /// A platform that lists one active and one revoked key for an artifact.
    struct RevokedKeyPlatform: PlatformCredentialsAPI {
        let artifact: String
        func apiKeys(of kind: ArtifactKind) async throws -> [APIKeyRecord] {
            guard kind == .restApi else { return [] }
            return [
                APIKeyRecord(id: "k-active", artifactUUID: artifact, name: "live", status: "active", createdAt: .now),
                APIKeyRecord(id: "k-revoked", artifactUUID: artifact, name: "old", status: "revoked", createdAt: .now),
            ]
        }
        func subscriptions(apiId: String) async throws -> [SubscriptionRecord] { [] }
    }

    @Test func onlyActiveKeysAreKeptAsAGatewayHonoursThem() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 20, seed: 8) { h in
            _ = try await SyncEndToEndTests.engine(f, h).run(trigger: .cli, requestedBy: Self.actor)
            let api = try #require(try await f.store.artifactSummaries().first { $0.kind == .restApi })
            let report = try await CredentialLoad(store: f.store, platform: RevokedKeyPlatform(artifact: api.uuid)).run()
            #expect(report.apiKeys == 1)
            #expect(try await f.store.apiKeys(of: api.uuid).map(\.id) == ["k-active"])
        }
    }

    /// A platform whose first keys listing is taken before a key is issued and answered after the
    /// live path applied that key's `apikey.created` (a listing in flight while an event lands).
    final class RacingPlatform: PlatformCredentialsAPI {
        let artifact: String
        let duringFirstListing: @Sendable () async throws -> Void
        let listings = Mutex(0)

        init(artifact: String, duringFirstListing: @escaping @Sendable () async throws -> Void) {
            self.artifact = artifact
            self.duringFirstListing = duringFirstListing
        }

        func apiKeys(of kind: ArtifactKind) async throws -> [APIKeyRecord] {
            guard kind == .restApi else { return [] }
            let old = APIKeyRecord(id: "k-old", artifactUUID: artifact, name: "old", status: "active", createdAt: .now)
            let new = APIKeyRecord(id: "k-new", artifactUUID: artifact, name: "new", status: "active", createdAt: .now)
            let n = listings.withLock { $0 += 1; return $0 }
            guard n == 1 else { return [old, new] }
            try await duringFirstListing()
            return [old]  // as the platform had it when the listing was taken
        }
        func subscriptions(apiId: String) async throws -> [SubscriptionRecord] { [] }
    }

    @Test func aKeyIssuedWhileTheListingIsInFlightIsNotWrittenOver() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 20, seed: 8) { h in
            _ = try await SyncEndToEndTests.engine(f, h).run(trigger: .cli, requestedBy: Self.actor)
            let api = try #require(try await f.store.artifactSummaries().first { $0.kind == .restApi })
            let gate = CredentialGate()
            let handler = LiveEventHandler(store: f.store, platform: h.client(), credentials: gate)
            let issued = APIKeyRecord(id: "k-new", artifactUUID: api.uuid, name: "new", status: "active", createdAt: .now)
            let platform = RacingPlatform(artifact: api.uuid) { _ = try await handler.handle(.apiKeyCreated(issued)) }
            // When the load runs while the live path applies the new key
            _ = try await CredentialLoad(store: f.store, platform: platform, gate: gate).run()
            // Then the stale listing was fetched again instead of replacing the key away
            #expect(try await f.store.apiKeys(of: api.uuid).map(\.id) == ["k-new", "k-old"])
            #expect(platform.listings.withLock { $0 } == 2)
        }
    }
}
