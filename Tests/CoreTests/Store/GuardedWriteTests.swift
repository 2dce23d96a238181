import Testing
import TestSupport
@testable import Core

/// Storage conformance: guarded and conditional writes. Runs on every backend.
struct GuardedWriteTests {
    let t0 = Timestamp(milliseconds: 1_700_000_000_000)
    var t1: Timestamp { Timestamp(milliseconds: t0.milliseconds + 1000) }

    @Test func theRuleOverwritesOnlyARowWithoutATimeOrAnOlderOne() {
        let cases: [(stored: Timestamp?, incoming: Timestamp?, overwrites: Bool)] = [
            (nil, nil, true), (nil, t0, true), (t0, t1, true),
            (t0, t0, false), (t1, t0, false), (t0, nil, false),
        ]
        for c in cases {
            #expect(GuardedWrite.overwrites(stored: c.stored, incoming: c.incoming) == c.overwrites, "stored \(String(describing: c.stored)), incoming \(String(describing: c.incoming))")
        }
    }

    @Test func aFullWriteIsDecidedFromTheStoredRowAlone() {
        let incoming = Fixtures.artifact("a", deployedAt: t1)
        let stored = Fixtures.summary("a", deployedAt: t0)
        var gatewayManaged = stored
        gatewayManaged.origin = .gatewayAPI
        let cases: [(String, ArtifactSummary?, Artifact, WriteOutcome)] = [
            ("absent", nil, incoming, .inserted),
            ("older stored", stored, incoming, .updated),
            ("same time", stored, Fixtures.artifact("a", deployedAt: t0), .stale),
            ("newer stored", Fixtures.summary("a", deployedAt: t1), Fixtures.artifact("a", deployedAt: t0), .stale),
            ("untimed write over a timed row", stored, Fixtures.artifact("a", deployedAt: nil), .stale),
            ("managed through the gateway API", gatewayManaged, incoming,
             .rejected("artifact a is managed through the gateway API, not the control plane")),
        ]
        for (why, stored, incoming, expected) in cases {
            #expect(GuardedWrite.outcome(stored: stored, incoming: incoming) == expected, "\(why)")
        }
    }

    @Test func aStatusChangeAppliesToANewerDeploymentOrTheSameOneInAnotherState() {
        let stored = Fixtures.summary("a", deployedAt: t0)  // dep-a, deployed
        var gatewayManaged = stored
        gatewayManaged.origin = .gatewayAPI
        let cases: [(String, ArtifactSummary, StatusChange, Bool)] = [
            ("newer deployment", stored, StatusChange(uuid: "a", kind: .restApi, state: .deployed, deploymentId: "dep-b", deployedAt: t1), true),
            ("same deployment, undeployed", stored, StatusChange(uuid: "a", kind: .restApi, state: .undeployed, deploymentId: "dep-a", deployedAt: t0), true),
            ("same deployment, same state", stored, StatusChange(uuid: "a", kind: .restApi, state: .deployed, deploymentId: "dep-a", deployedAt: t0), false),
            ("same time, other deployment", stored, StatusChange(uuid: "a", kind: .restApi, state: .undeployed, deploymentId: "dep-x", deployedAt: t0), false),
            ("older", Fixtures.summary("a", deployedAt: t1), StatusChange(uuid: "a", kind: .restApi, state: .undeployed, deploymentId: "dep-a", deployedAt: t0), false),
            ("managed through the gateway API", gatewayManaged, StatusChange(uuid: "a", kind: .restApi, state: .undeployed, deploymentId: "dep-b", deployedAt: t1), false),
        ]
        for (why, stored, change, applies) in cases {
            #expect(GuardedWrite.appliesStatus(change, to: stored) == applies, "\(why)")
        }
    }

    @Test(arguments: Backend.allCases)
    func insertWhenAbsentPublishesCreate(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        let outcomes = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
        #expect(outcomes == [.inserted])
        let events = try await f.store.events(after: 0, limit: 10)
        #expect(events.map(\.action) == [.create])
        #expect(events.first?.eventId == DeploymentEtag.make(deploymentId: "dep-a", deployedAt: t0))
        #expect(try await f.store.artifact(uuid: "a")?.deployedAt == t0)
    }

    @Test(arguments: Backend.allCases)
    func newerWins(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
        let outcomes = try await f.store.upsertArtifacts([Fixtures.artifact("a", deploymentId: "dep-2", deployedAt: t1)])
        #expect(outcomes == [.updated])
        #expect(try await f.store.artifact(uuid: "a")?.deploymentId == "dep-2")
        #expect(try await f.store.events(after: 0, limit: 10).map(\.action) == [.create, .update])
    }

    @Test(arguments: Backend.allCases)
    func olderIsSkippedWithoutEvent(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t1)])
        let outcomes = try await f.store.upsertArtifacts([Fixtures.artifact("a", deploymentId: "dep-old", deployedAt: t0)])
        #expect(outcomes == [.stale])
        #expect(outcomes.first?.affected == false)
        #expect(try await f.store.artifact(uuid: "a")?.deploymentId == "dep-a")
        #expect(try await f.store.position().headSeq == 1)
    }

    @Test(arguments: Backend.allCases)
    func equalIsSkipped(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
        var changed = Fixtures.artifact("a", deployedAt: t0)
        changed.content = "changed"
        #expect(try await f.store.upsertArtifacts([changed]) == [.stale])
        #expect(try await f.store.artifact(uuid: "a")?.content != "changed")
        #expect(try await f.store.position().headSeq == 1)
    }

    @Test(arguments: Backend.allCases)
    func missingHandleIsRejected(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        let outcomes = try await f.store.upsertArtifacts([Fixtures.artifact("a", handle: " "), Fixtures.artifact("b")])
        #expect(outcomes.first.map { if case .rejected = $0 { true } else { false } } == true)
        #expect(outcomes.last == .inserted)
        #expect(try await f.store.artifact(uuid: "a") == nil)
        #expect(try await f.store.position().headSeq == 1)
    }

    @Test(arguments: Backend.allCases)
    func statusUpdateIsGuarded(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t1)])
        let stale = StatusChange(uuid: "a", kind: .restApi, state: .undeployed, deploymentId: "dep-a", deployedAt: t0)
        #expect(try await f.store.updateStatuses([stale]) == [.stale])
        let fresh = StatusChange(uuid: "a", kind: .restApi, state: .undeployed, deploymentId: "dep-a", deployedAt: Timestamp(milliseconds: t1.milliseconds + 1))
        #expect(try await f.store.updateStatuses([fresh]) == [.updated])
        #expect(try await f.store.artifact(uuid: "a")?.desiredState == .undeployed)
        #expect(try await f.store.position().headSeq == 2)
    }

    @Test(arguments: Backend.allCases)
    func conditionalRetainAndDeleteSkipAChangedRow(backend: Backend) async throws {
        // Given an orphan reviewed at t0, then redeployed by a live event at t1
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
        let seen = Fixtures.summary("a", deployedAt: t0)
        let review = try #require(
            try await f.store.recordOrphan(seen, verdict: .deletedOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action))
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deploymentId: "dep-2", deployedAt: t1)])
        // When the operator approves the old review
        let result = try await f.store.decide(reviewId: review.id, decision: .approve, actor: Principal(user: "op", clientAddress: nil), allowUnverified: false)
        // Then nothing is deleted and the review is superseded
        #expect(result == .superseded)
        #expect(try await f.store.artifact(uuid: "a") != nil)
        #expect(try await f.store.review(id: review.id)?.status == .superseded)
        // And recording a retention for the stale row version does nothing either
        let retained = try await f.store.recordOrphan(seen, verdict: .existsOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action)
        #expect(retained == nil)
        #expect(try await f.store.artifact(uuid: "a")?.desiredState == .deployed)
    }

    @Test(arguments: Backend.allCases)
    func approvalDeletesKeysSubscriptionsAndPublishesDelete(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0), Fixtures.artifact("b", deployedAt: t0)])
        for i in 0..<3 { try await f.store.addAPIKey(APIKeyRecord(id: "k\(i)", artifactUUID: "a", name: "key \(i)", createdAt: t0)) }
        try await f.store.addSubscription(SubscriptionRecord(id: "s1", artifactUUID: "a", applicationId: "app", createdAt: t0))
        try await f.store.addAPIKey(APIKeyRecord(id: "kb", artifactUUID: "b", name: "other", createdAt: t0))
        let review = try #require(
            try await f.store.recordOrphan(Fixtures.summary("a", deployedAt: t0), verdict: .deletedOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action))
        #expect(review.apiKeys == 3 && review.subscriptions == 1)
        let result = try await f.store.decide(reviewId: review.id, decision: .approve, actor: Principal(user: "alice", clientAddress: "10.0.0.7"), allowUnverified: false)
        #expect(result == .deleted(Dependents(apiKeys: 3, subscriptions: 1)))
        #expect(try await f.store.artifact(uuid: "a") == nil)
        #expect(try await f.store.dependents(of: ["a", "b"]) == ["a": Dependents(), "b": Dependents(apiKeys: 1)])
        #expect(try await f.store.events(after: 0, limit: 10).last?.action == .delete)
        let audit = try #require(try await f.store.auditEntries(limit: 1).first)
        #expect(audit.actor == Principal(user: "alice", clientAddress: "10.0.0.7"))
        #expect(audit.outcome == "deleted")
        #expect(audit.target.contains("a"))
    }

    @Test(arguments: Backend.allCases)
    func storeRefusesAnotherGatewaysDatabase(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        await #expect(throws: StorageError.self) {
            switch backend {
            case .sqlite: _ = try SQLiteStore(path: f.sqlitePath, gatewayId: "someone-else")
            case .postgres: _ = try await PostgresStore.connect(url: f.url!, gatewayId: "someone-else", password: nil)
            }
        }
    }
}
