import ControlSocket
import Controller
import Core
import Foundation
import PlatformSim
import ServiceLifecycle
import Testing
import TestSupport

/// The controller as one group of services: what it serves while it runs, and how it stops.
@Suite(.timeLimit(.minutes(2)))
struct ControllerTests {
    /// A controller on its own connection to `f`'s store, serving a socket in `directory`.
    static func controller(
        _ f: StoreFixture, _ directory: TemporaryDirectory, replica: String = "r1", platform: PlatformClient? = nil
    ) async throws -> Controller {
        var setup = ControllerSetup(replicaId: replica)
        if let platform { setup.platform = .init(client: platform, sync: SyncOptions(), live: nil) }
        setup.control = .init(
            path: directory.file("gw.sock"), policy: AccessPolicy(viewers: [], operators: [], serviceUID: getuid()))
        return try Controller(store: try await f.openAnother(), setup: setup, logger: .silent("test"))
    }

    /// Runs `controller`'s services until `body` returns, then stops them gracefully; returns how
    /// long the stop took.
    static func running(_ controller: Controller, _ body: (ControlClient) async throws -> Void) async throws -> Duration {
        let group = ServiceGroup(configuration: .init(services: controller.services, logger: .silent("test")))
        let run = Task { try await group.run() }
        let path = try #require(controller.socketPath)
        let client = try await ControlClient.awaitController(path: path, environment: [:])
        try await body(try #require(client, "the controller's socket never answered"))
        let stopping = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await run.value
        return ContinuousClock.now - stopping
    }

    @Test func itServesItsSocketAndStopsInOrderRecordingItsStop() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let directory = TemporaryDirectory(prefix: "gwops-controller")
        defer { directory.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a")])
        // Given a controller running as its group of services
        let controller = try await Self.controller(f, directory)
        _ = try await Self.running(controller) { client in
            // Then its socket serves the store, and its replica is registered and applies the hub
            #expect(try await client.status().artifacts.total == 1)
            try await waitUntil(seconds: 10) { try await f.store.replicas().first { $0.replicaId == "r1" }?.appliedSeq == 1 }
        }
        // When it stops: its socket is gone and its replica recorded as stopped
        #expect(!FileManager.default.fileExists(atPath: directory.file("gw.sock")))
        #expect(try await f.store.replicas().first { $0.replicaId == "r1" }?.state == .stopped)
    }

    @Test func aSyncStartedThroughTheSocketEndsWithTheControllerAndClosesItsRun() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let directory = TemporaryDirectory(prefix: "gwops-controller")
        defer { directory.remove() }
        try await SimulatorHarness.with(deployments: 30) { h in
            let controller = try await Self.controller(f, directory, platform: h.client(timeout: .seconds(60)))
            var runId: Int64 = 0
            let stop = try await Self.running(controller) { client in
                // Given the startup sync done, and an operator's sync stuck on a slow archive fetch
                try await waitUntil(seconds: 20) { try await f.store.syncRuns(limit: 1).first?.finishedAt != nil }
                _ = await h.platform.create(count: 5)
                await h.platform.addFault(SimFault(endpoint: .fetchBatch, count: 10, delayMs: 30_000))
                let id = try await client.startSync(trigger: .console)
                runId = id
                try await waitUntil(seconds: 10) { try await f.store.syncRun(id: id)?.phase == .fetching }
            }
            // When the controller stops: the sync is cancelled (not waited for: its fetch takes
            // 30 s), its run closed, the lease free
            #expect(stop < .seconds(25), "stopping took \(stop)")
            let run = try #require(try await f.store.syncRun(id: runId))
            #expect(run.finishedAt != nil && run.outcome == .failed, "\(run)")
            let next = SyncLeaseHolder(token: "next", host: ProcessProbe.hostIdentity, pid: ProcessProbe.currentPID)
            guard case .started = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "ops", holder: next, ttl: .seconds(30)) else {
                Issue.record("the stopped controller's sync still holds the lease")
                return
            }
        }
    }

    @Test func theStartupSyncEndingLeavesTheRestRunning() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let directory = TemporaryDirectory(prefix: "gwops-controller")
        defer { directory.remove() }
        try await SimulatorHarness.with(deployments: 30) { h in
            let controller = try await Self.controller(f, directory, platform: h.client())
            _ = try await Self.running(controller) { client in
                // Given the startup sync finished
                try await waitUntil(seconds: 20) { try await f.store.syncRuns(limit: 1).first?.outcome == .succeeded }
                // Then a while later the socket still serves and the replica still follows the hub
                try await Task.sleep(for: .milliseconds(500))
                let total = try await client.status().artifacts.total
                #expect(total > 0)
                let head = try await f.store.position().headSeq
                try await waitUntil(seconds: 10) { try await f.store.replicas().first { $0.replicaId == "r1" }?.appliedSeq == head }
            }
        }
    }

    /// A one-shot service that returns while the group stops the others is taken for a failure
    /// (found by short headless demos: the startup sync ended while the socket was stopping, and
    /// the demo exited 1): the startup sync waits to be stopped instead. Here the stop comes
    /// while it fetches.
    @Test func stoppingDuringTheStartupSyncIsAnOrderlyStop() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let directory = TemporaryDirectory(prefix: "gwops-controller")
        defer { directory.remove() }
        try await SimulatorHarness.with(deployments: 30) { h in
            // Given a startup sync whose archives take 2 s each
            await h.platform.addFault(SimFault(endpoint: .fetchBatch, count: 10, delayMs: 2_000))
            let controller = try await Self.controller(f, directory, platform: h.client(timeout: .seconds(60)))
            // When the controller is stopped while it fetches
            _ = try await Self.running(controller) { _ in
                try await waitUntil(seconds: 20) { try await f.store.syncRuns(limit: 1).first?.phase == .fetching }
            }
            // Then it stopped without an error (`running` throws the group's), its run closed
            let run = try #require(try await f.store.syncRuns(limit: 1).first)
            #expect(run.finishedAt != nil, "\(run)")
        }
    }

    @Test func aSocketAnotherControllerServesStopsTheSecondBeforeAnythingRuns() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let directory = TemporaryDirectory(prefix: "gwops-controller")
        defer { directory.remove() }
        let first = try await Self.controller(f, directory)
        _ = try await Self.running(first) { _ in
            // When a second controller is built on the same socket path
            let error = await #expect(throws: ControlSocketError.self) {
                _ = try await Self.controller(f, directory, replica: "r2")
            }
            // Then it says who serves it, and none of its services ran
            #expect("\(String(describing: error))".contains("another gwops controller (pid \(getpid()))"))
            let replicas = try await f.store.replicas()
            #expect(replicas.allSatisfy { $0.replicaId != "r2" })
        }
    }
}
