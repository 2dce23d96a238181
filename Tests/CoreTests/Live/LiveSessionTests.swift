import Foundation
import Logging
import PlatformSim
import Synchronization
import Testing
import TestSupport
@testable import Core

/// The live path over a real WebSocket to the simulator.
@Suite(.timeLimit(.minutes(2)))
struct LiveSessionTests {
    final class Counter: Sendable {
        private let value = Mutex(0)
        func add() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    static func session(_ f: StoreFixture, _ h: SimulatorHarness, apiKey: String = SimulatorHarness.apiKey, sync: SyncEngine? = nil,
                        connected: Counter, ackTimeout: Duration = .seconds(5), logger: Logger = .silent("test")) -> LiveSession {
        var options = LiveOptions()
        options.ackTimeout = ackTimeout
        options.minBackoff = .milliseconds(50)
        options.maxBackoff = .milliseconds(200)
        options.healDelay = .milliseconds(100)
        let client = h.client(apiKey: apiKey)
        return LiveSession(
            platformURL: h.baseURL, apiKey: apiKey, handler: LiveEventHandler(store: f.store, platform: client), platform: client,
            options: options, logger: logger
        ) { reason in
            if let sync { _ = try? await sync.run(trigger: reason.trigger, requestedBy: Principal(user: "t", clientAddress: nil)) }
            if case .connected = reason { connected.add() }
        }
    }

    /// A store, the simulator, and a live session (syncing on every connection) that has connected once.
    static func withConnectedSession(
        _ backend: Backend = .sqlite, pingPeriod: Duration = .seconds(20), _ body: (StoreFixture, SimulatorHarness, Counter) async throws -> Void
    ) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 30, pingPeriod: pingPeriod) { h in
            let connected = Counter()
            let live = Task { try await session(f, h, sync: SyncEndToEndTests.engine(f, h), connected: connected).run() }
            defer { live.cancel() }
            // (A precondition, not a measure: at the start of `swift test` dozens of suites start
            // at once on two cores, and a first connection with its sync was seen to take 20 s.)
            try await waitUntil(seconds: 60) { connected.count == 1 }
            try await body(f, h, connected)
        }
    }

    @Test func deployAndUndeployAreAppliedAndAcknowledged() async throws {
        try await Self.withConnectedSession { f, h, connected in
            // When the platform redeploys and then undeploys an artifact
            let id = try #require(await SyncEndToEndTests.deployedIds(h.platform).first)
            let deployed = try #require(await h.simulator.perform(.deploy, on: id))
            try await waitUntil(seconds: 10) { try await f.store.artifact(uuid: id)?.deploymentId == deployed.deployment?.deploymentId }
            await h.simulator.perform(.undeploy, on: id)
            try await waitUntil(seconds: 10) { try await f.store.artifact(uuid: id)?.desiredState == .undeployed }
            // Then both were acknowledged as the contract says
            try await waitUntil(seconds: 10) { await h.simulator.live.acks.count == 2 }
            let acks = await h.simulator.live.acks
            #expect(acks.map { $0["action"] } == ["deploy", "undeploy"])
            #expect(acks.allSatisfy { $0["status"] == "success" && $0["artifactId"] == id && $0["deploymentId"] == deployed.deployment?.deploymentId })
        }
    }

    @Test func aDeployWhoseArchiveCannotBeFetchedIsHealedByASyncSoonAfter() async throws {
        try await Self.withConnectedSession { f, h, connected in
            // Given the platform's batch endpoint fails once
            await h.platform.addFault(SimFault(endpoint: .fetchBatch, status: 503, count: 1))
            // When it redeploys an artifact over the live path
            let id = try #require(await SyncEndToEndTests.deployedIds(h.platform).first)
            let deployed = try #require(await h.simulator.perform(.deploy, on: id))
            // Then a heal sync applies it shortly after, and only then is it acknowledged: as a
            // success, since the gateway serves it (a `failed` ack would leave the platform
            // showing FAILED for it)
            try await waitUntil(seconds: 10) { try await f.store.artifact(uuid: id)?.deploymentId == deployed.deployment?.deploymentId }
            #expect(try await f.store.syncRuns(limit: 1).first?.trigger == .heal)
            try await waitUntil(seconds: 10) { await h.simulator.live.acks.count == 1 }
            let ack = try #require(await h.simulator.live.acks.first)
            #expect(ack["status"] == "success" && ack["deploymentId"] == deployed.deployment?.deploymentId && ack["action"] == "deploy")
            #expect(connected.count == 1)
        }
    }

    @Test func malformedAndUnknownFramesAreIgnoredAndTheConnectionKept() async throws {
        try await Self.withConnectedSession { f, h, connected in
            await h.simulator.live.broadcast("{not json")
            await h.simulator.live.broadcast(#"{"type":"gateway.rebooted","payload":{}}"#)
            let id = try #require(await SyncEndToEndTests.deployedIds(h.platform).first)
            let deployed = try #require(await h.simulator.perform(.deploy, on: id))
            try await waitUntil(seconds: 10) { try await f.store.artifact(uuid: id)?.deploymentId == deployed.deployment?.deploymentId }
            #expect(await h.simulator.live.connections == 1)
        }
    }

    @Test func missingConnectionAckMeansReconnect() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 5) { h in
            await h.simulator.live.setSendsConnectionAck(false)
            let connected = Counter()
            let live = Task { try await Self.session(f, h, connected: connected, ackTimeout: .milliseconds(300)).run() }
            defer { live.cancel() }
            try await waitUntil(seconds: 20) { await h.simulator.live.connections >= 2 }
            #expect(connected.count == 0)
            await h.simulator.live.setSendsConnectionAck(true)
            try await waitUntil(seconds: 20) { connected.count == 1 }
        }
    }

    @Test func droppedConnectionReconnectsAndTheSyncHealsWhatWasMissed() async throws {
        try await Self.withConnectedSession { f, h, connected in
            // Given the platform drops the gateway and deletes an artifact while it is away
            let id = try #require(await SyncEndToEndTests.deployedIds(h.platform).first)
            await h.simulator.live.dropAll()
            _ = await h.platform.deleteArtifact(id)
            // Then the gateway reconnects, syncs again, and the missed deletion waits for review
            try await waitUntil(seconds: 20) { connected.count == 2 }
            let runs = try await f.store.syncRuns(limit: 2)
            #expect(runs.map(\.trigger) == [.reconnect, .startup])
            #expect(try await f.store.reviewHistory(artifactUUID: id).first?.status == .pending)
        }
    }

    @Test func refusedKeyStopsWithUnauthorized() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 5) { h in
            let connected = Counter()
            await #expect(throws: LiveError.unauthorized(status: 401, words: "Invalid or expired credentials. (UNAUTHORIZED)")) {
                try await Self.session(f, h, apiKey: "wrong-key", connected: connected).run()
            }
            #expect(connected.count == 0)
        }
    }
}
