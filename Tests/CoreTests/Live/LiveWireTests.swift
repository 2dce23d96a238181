import Foundation
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// The live path as the real platform and gateway behave (WIRE.md "WebSocket"): acks, keys and
/// subscriptions, events with no use here, pings while a slow event is applied, refusals in words.
@Suite(.timeLimit(.minutes(2)))
struct LiveWireTests {
    static func acks(_ h: SimulatorHarness) async -> [[String: String]] { await h.simulator.live.acks }

    @Test func anUndeployOfAnArtifactThisGatewayDoesNotHaveIsASuccess() async throws {
        try await LiveSessionTests.withConnectedSession { f, h, _ in
            // Given an artifact id this gateway has never had
            // When the platform undeploys it
            await h.simulator.live.announce(type: "api.undeployed", payload: [
                "apiId": "not-here", "deploymentId": "dep-gone", "performedAt": "2026-11-30T10:00:00.123Z",
            ])
            // Then the gateway answers "already undeployed": success, performedAt echoed
            try await waitUntil(seconds: 30) { await Self.acks(h).count == 1 }
            #expect(await Self.acks(h).first == [
                "deploymentId": "dep-gone", "artifactId": "not-here", "resourceType": "api", "action": "undeploy", "status": "success",
                "performedAt": "2026-11-30T10:00:00.123Z",
            ])
            #expect(try await f.store.artifact(uuid: "not-here") == nil)
        }
    }

    @Test func anUndeployOfAnotherDeploymentIsAMismatch() async throws {
        try await LiveSessionTests.withConnectedSession { f, h, _ in
            let id = try #require(await SyncEndToEndTests.deployedIds(h.platform).first)
            let kind = try #require(await h.platform.artifact(id)?.kind)
            await h.simulator.live.announce(type: "\(kind.resourceType).undeployed", payload: [
                kind.eventIdField: id, "deploymentId": "dep-other", "performedAt": GoTimeText.later,
            ])
            try await waitUntil(seconds: 30) { await Self.acks(h).count == 1 }
            let ack = try #require(await Self.acks(h).first)
            #expect(ack["status"] == "failed" && ack["errorCode"] == "DEPLOYMENT_ID_MISMATCH")
            #expect(try await f.store.artifact(uuid: id)?.desiredState == .deployed)
        }
    }

    @Test(arguments: Backend.allCases)
    func newKeysAndSubscriptionsShowInTheCountsAndRevocationsLeave(backend: Backend) async throws {
        try await LiveSessionTests.withConnectedSession(backend) { f, h, _ in
            let all = await h.platform.all()
            let api = try #require(all.first { $0.kind == .restApi && $0.deployment?.state == .deployed })
            let before = try await f.store.dependents(of: [api.id])[api.id] ?? Dependents()
            // When the platform issues a key and subscribes an application, with events it has
            // no use for here in between
            let key = try #require(await h.simulator.createAPIKey(on: api.id))
            await h.simulator.live.announce(type: "subscriptionPlan.updated", payload: ["planId": "p"])
            await h.simulator.live.announce(type: "application.updated", payload: ["applicationId": "a"])
            let subscription = try #require(await h.simulator.createSubscription(on: api.id))
            // Then both show in what deleting the API would destroy
            try await waitUntil(seconds: 30) {
                try await f.store.dependents(of: [api.id])[api.id] == Dependents(apiKeys: before.apiKeys + 1, subscriptions: before.subscriptions + 1)
            }
            let stored = try #require(try await f.store.apiKeys(of: api.id).first { $0.name == key.name })
            #expect(stored.id == key.uuid && stored.maskedKey == key.maskedApiKey && stored.hashes == ["sha256": key.sha256])
            let subscriptions = try await f.store.subscriptions(of: api.id)
            #expect(subscriptions.contains { $0.id == subscription.id && $0.applicationId == subscription.applicationId })
            // And when the key is revoked (by name) and the subscription deleted, they leave again
            await h.simulator.revokeAPIKey(on: api.id, named: key.name)
            await h.simulator.deleteSubscription(on: api.id, subscriptionId: subscription.id)
            try await waitUntil(seconds: 30) { try await f.store.dependents(of: [api.id])[api.id] == before }
            #expect(await h.simulator.live.connections == 1)
        }
    }

    @Test func pingsAreAnsweredWhileASlowEventIsApplied() async throws {
        // Given a platform that drops a gateway whose pong is 1.5 s late, and an archive that
        // takes 5 s to come
        try await LiveSessionTests.withConnectedSession(pingPeriod: .milliseconds(1500)) { f, h, connected in
            await h.platform.addFault(SimFault(endpoint: .fetchBatch, count: 1, delayMs: 5000))
            let id = try #require(await SyncEndToEndTests.deployedIds(h.platform).first)
            // When the platform redeploys an artifact and then issues a key for another one
            let deployed = try #require(await h.simulator.perform(.deploy, on: id))
            let keyed = try #require(await h.platform.all().first { $0.kind == .llmProvider && $0.deployment != nil })
            let key = try #require(await h.simulator.createAPIKey(on: keyed.id))
            // Then both are applied in order on the same connection (it answered pings meanwhile),
            // and the deploy's ack reached the platform
            try await waitUntil(seconds: 30) { try await f.store.apiKeys(of: keyed.id).contains { $0.id == key.uuid } }
            try await waitUntil(seconds: 30) { await Self.acks(h).count == 1 }
            #expect(try await f.store.artifact(uuid: id)?.deploymentId == deployed.deployment?.deploymentId)
            #expect(await h.simulator.live.connections == 1)
            #expect(connected.count == 1)
            #expect(await Self.acks(h).first?["status"] == "success")
        }
    }

    @Test func aRefusalFrameIsReportedInWords() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 3) { h in
            // Given a platform over its connection limit
            await h.simulator.live.setRefusal("maximum connections reached for gateway sim-gateway")
            let logs = LogCapture()
            let connected = LiveSessionTests.Counter()
            let live = Task { try await LiveSessionTests.session(f, h, connected: connected, logger: logs.logger()).run() }
            defer { live.cancel() }
            // Then the gateway says why, and keeps trying without syncing
            try await waitUntil(seconds: 30) { logs.contains("refused the live connection: maximum connections reached for gateway sim-gateway") }
            #expect(connected.count == 0)
        }
    }

    @Test func aRateLimitedUpgradeIsReportedWithThePlatformsWords() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 3) { h in
            await h.simulator.live.setRateLimited(true)
            let logs = LogCapture()
            let connected = LiveSessionTests.Counter()
            let live = Task { try await LiveSessionTests.session(f, h, connected: connected, logger: logs.logger()).run() }
            defer { live.cancel() }
            try await waitUntil(seconds: 30) {
                logs.contains("429") && logs.contains("Connection rate limit exceeded. Please try again later. (TOO_MANY_REQUESTS)")
            }
            // And once the platform lets it in, it connects
            await h.simulator.live.setRateLimited(false)
            try await waitUntil(seconds: 30) { connected.count == 1 }
        }
    }
}

/// Times for hand-written frames.
enum GoTimeText {
    /// Later than anything the simulator has performed.
    static let later = "2030-01-01T00:00:00.5Z"
}
