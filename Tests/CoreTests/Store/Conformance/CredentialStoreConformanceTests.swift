import Testing
import TestSupport
@testable import Core

extension StoreConformance {
    /// Storage conformance, `CredentialStore`: every method, its edge cases, on every backend.
    @Suite struct CredentialStoreConformanceTests {
        let t0 = Timestamp(milliseconds: 1_700_000_000_000)
        var t1: Timestamp { Timestamp(milliseconds: t0.milliseconds + 1000) }

        func key(_ id: String, _ artifact: String = "a", name: String? = nil, masked: String = "ab***yz", at: Timestamp) -> APIKeyRecord {
            APIKeyRecord(
                id: id, artifactUUID: artifact, name: name ?? "key-\(id)", maskedKey: masked, hashes: ["sha256": "h-\(id)"],
                expiresAt: nil, createdAt: at, updatedAt: at)
        }

        @Test(arguments: Backend.allCases)
        func addingAKeyAgainUpdatesItAndKeepsWhenItWasCreated(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            try await f.store.addAPIKey(key("k1", at: t0))
            var again = key("k1", masked: "cd***wx", at: t1)
            again.expiresAt = Timestamp(milliseconds: t1.milliseconds + 60_000)
            again.status = "revoked"
            try await f.store.addAPIKey(again)
            let stored = try await f.store.apiKeys(of: "a")
            #expect(stored.count == 1)
            #expect(stored.first?.createdAt == t0, "createdAt of an existing key is kept")
            #expect(stored.first?.maskedKey == "cd***wx" && stored.first?.status == "revoked")
            #expect(stored.first?.expiresAt == again.expiresAt && stored.first?.updatedAt == t1)
            #expect(stored.first?.hashes == ["sha256": "h-k1"])
        }

        @Test(arguments: Backend.allCases)
        func aKeyRecreatedUnderAnotherIdReplacesTheOneOfTheSameName(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            try await f.store.addAPIKey(key("old", name: "mobile", at: t0))
            try await f.store.addAPIKey(key("other", "b", name: "mobile", at: t0))
            try await f.store.addAPIKey(key("new", name: "mobile", at: t1))
            #expect(try await f.store.apiKeys(of: "a").map(\.id) == ["new"])
            #expect(try await f.store.apiKeys(of: "b").map(\.id) == ["other"], "the same name on another artifact is another key")
        }

        @Test(arguments: Backend.allCases)
        func updatingAKeyChangesOnlyTheNamedOneAndSaysWhetherThereWasOne(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            try await f.store.addAPIKey(key("k1", name: "mobile", at: t0))
            try await f.store.addAPIKey(key("k2", name: "web", at: t0))
            let update = APIKeyUpdate(artifactUUID: "a", name: "mobile", maskedKey: "zz***zz", hashes: ["sha256": "new"], expiresAt: t1, updatedAt: t1)
            #expect(try await f.store.updateAPIKey(update) == true)
            let keys = try await f.store.apiKeys(of: "a")
            #expect(keys.map(\.name) == ["mobile", "web"], "ordered by name")
            #expect(keys[0].maskedKey == "zz***zz" && keys[0].hashes == ["sha256": "new"] && keys[0].expiresAt == t1 && keys[0].updatedAt == t1)
            #expect(keys[0].createdAt == t0)
            #expect(keys[1].maskedKey == "ab***yz")
            var missing = update
            missing.name = "nobody"
            #expect(try await f.store.updateAPIKey(missing) == false)
            missing = update
            missing.artifactUUID = "b"
            #expect(try await f.store.updateAPIKey(missing) == false)
        }

        @Test(arguments: Backend.allCases)
        func removingAKeyRemovesOnlyThatArtifactsKeyOfThatName(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            try await f.store.addAPIKey(key("k1", name: "mobile", at: t0))
            try await f.store.addAPIKey(key("k2", "b", name: "mobile", at: t0))
            try await f.store.removeAPIKey(artifactUUID: "a", name: "mobile")
            try await f.store.removeAPIKey(artifactUUID: "a", name: "never-there")
            #expect(try await f.store.apiKeys(of: "a").isEmpty)
            #expect(try await f.store.apiKeys(of: "b").map(\.id) == ["k2"])
        }

        @Test(arguments: Backend.allCases)
        func addingASubscriptionAgainUpdatesItAndKeepsWhenItWasCreated(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            try await f.store.addSubscription(SubscriptionRecord(id: "s1", artifactUUID: "a", applicationId: "app", planId: "gold", createdAt: t0))
            try await f.store.addSubscription(
                SubscriptionRecord(id: "s1", artifactUUID: "a", applicationId: nil, planId: nil, status: "INACTIVE", createdAt: t1))
            try await f.store.addSubscription(SubscriptionRecord(id: "s0", artifactUUID: "a", applicationId: "app2", createdAt: t1))
            let subs = try await f.store.subscriptions(of: "a")
            #expect(subs.map(\.id) == ["s0", "s1"], "ordered by id")
            #expect(subs[1] == SubscriptionRecord(id: "s1", artifactUUID: "a", applicationId: nil, planId: nil, status: "INACTIVE", createdAt: t0))
            try await f.store.removeSubscription(id: "s0")
            try await f.store.removeSubscription(id: "never-there")
            #expect(try await f.store.subscriptions(of: "a").map(\.id) == ["s1"])
        }

        @Test(arguments: Backend.allCases)
        func replacingKeysMakesTheListedArtifactsKeysExactlyThoseGiven(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            try await f.store.addAPIKey(key("a1", "a", at: t0))
            try await f.store.addAPIKey(key("a2", "a", at: t0))
            try await f.store.addAPIKey(key("b1", "b", at: t0))
            try await f.store.addAPIKey(key("c1", "c", at: t0))
            // a keeps a2 (updated) and gains a3; b loses everything; c is not listed; d's key is added too
            try await f.store.replaceAPIKeys(
                [key("a2", "a", masked: "new", at: t1), key("a3", "a", at: t1), key("d1", "d", at: t1)], ofArtifacts: ["a", "b"])
            let a = try await f.store.apiKeys(of: "a")
            #expect(a.map(\.id).sorted() == ["a2", "a3"])
            #expect(a.first { $0.id == "a2" }?.maskedKey == "new" && a.first { $0.id == "a2" }?.createdAt == t0)
            #expect(try await f.store.apiKeys(of: "b").isEmpty)
            #expect(try await f.store.apiKeys(of: "c").map(\.id) == ["c1"])
            #expect(try await f.store.apiKeys(of: "d").map(\.id) == ["d1"])
            #expect(try await f.store.credentialTotals() == Dependents(apiKeys: 4, subscriptions: 0))
        }

        @Test(arguments: Backend.allCases)
        func replacingSubscriptionsMakesOneArtifactsExactlyThoseGiven(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            try await f.store.addSubscription(SubscriptionRecord(id: "s1", artifactUUID: "a", applicationId: "x", createdAt: t0))
            try await f.store.addSubscription(SubscriptionRecord(id: "s2", artifactUUID: "a", applicationId: "y", createdAt: t0))
            try await f.store.addSubscription(SubscriptionRecord(id: "t1", artifactUUID: "b", applicationId: "z", createdAt: t0))
            try await f.store.replaceSubscriptions(
                [
                    SubscriptionRecord(id: "s2", artifactUUID: "a", applicationId: "y", status: "INACTIVE", createdAt: t1),
                    SubscriptionRecord(id: "s3", artifactUUID: "a", applicationId: "w", createdAt: t1),
                    SubscriptionRecord(id: "elsewhere", artifactUUID: "b", applicationId: "v", createdAt: t1),
                ], ofArtifact: "a")
            let a = try await f.store.subscriptions(of: "a")
            #expect(a.map(\.id) == ["s2", "s3"])
            #expect(a[0].status == "INACTIVE" && a[0].createdAt == t0)
            #expect(try await f.store.subscriptions(of: "b").map(\.id) == ["t1"], "another artifact's subscriptions are not touched")
            #expect(try await f.store.credentialTotals() == Dependents(apiKeys: 0, subscriptions: 3))
        }

        @Test(arguments: Backend.allCases)
        func readsOfAnArtifactWithoutCredentialsAreEmpty(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            #expect(try await f.store.apiKeys(of: "nothing").isEmpty)
            #expect(try await f.store.subscriptions(of: "nothing").isEmpty)
            #expect(try await f.store.credentialTotals() == Dependents())
        }
    }
}
