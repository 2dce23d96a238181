import ArgumentParser
import Control
import Core
import Foundation
import Logging
import PlatformSim

/// `gwops demo`: simulator + SQLite + three replicas + churn, then the console. No setup.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Try everything with one command: a simulated platform, a store, three replicas and churn.")

    @Option(name: .long, help: "Keep the store in DIR (default: a temporary directory, removed on exit).") var data: String?
    @Option(name: .long, help: "Deployments the simulated platform starts with.") var deployments = 500
    @Option(name: .long, help: "Seed of the simulated platform.") var seed: UInt64 = 7
    @Flag(name: .long, help: "No UI: run for --duration, then print `gwops status --json`.") var headless = false
    @Option(name: .long, help: "How long a headless demo runs (e.g. 10s).") var duration = "10s"
    @Option(name: .long, help: "Console theme.") var theme = "default"
    @Flag(name: .long, help: "Open the console read-only.") var readonly = false

    func validate() throws {
        guard DurationParser.parse(duration) != nil else { throw ValidationError("--duration \(duration) is not a duration (e.g. 10s, 2m)") }
        guard (1...200_000).contains(deployments) else { throw ValidationError("--deployments must be between 1 and 200000") }
    }

    func run() async throws {
        let dir = data ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("gwops-demo-\(UUID().uuidString.prefix(8))")
        defer { if data == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let sink = FileSink(path: (dir as NSString).appendingPathComponent("demo.log"))
        let logger = sink.logger("gwops.demo")
        let demo = try await DemoFleet.start(directory: dir, deployments: deployments, seed: seed, logger: logger)
        defer { demo.stop() }
        var thresholds = LagThresholds()
        thresholds.heartbeatTimeout = 5
        thresholds.window = 20
        // The console reaches the fleet as an operator's does: through a controller's socket.
        let controller = try await demo.serveControlSocket(
            at: (dir as NSString).appendingPathComponent("control.sock"), thresholds: thresholds, logger: logger)
        defer { controller.stop() }
        if headless {
            try await Task.sleep(for: DurationParser.parse(duration) ?? .seconds(10))
            print(try Terminal.json(try await controller.client.status()))
            return
        }
        let caller = try await controller.client.whoami()
        var header = HeaderInfo(
            gateway: DemoFleet.gatewayId, platformURL: demo.platformURL, origin: controller.client.origin, caller: caller, readonly: readonly)
        header.operatorName = Runtime.actor.display
        try await ConsoleSession(
            service: controller.client, header: header, thresholds: thresholds, refresh: .seconds(1), themeName: theme, logger: logger
        ).run()
    }
}

/// The demo's moving parts, all in this process.
struct DemoFleet: Sendable {
    static let gatewayId = "gw-demo"
    static let apiKey = "demo-key"

    let store: SQLiteStore
    let client: PlatformClient
    let engine: SyncEngine
    let platform: SimulatedPlatform
    let platformURL: String
    /// Every event replica-1 applies, for the control socket's event streams.
    let hub: HubBroadcast
    let tasks: [Task<Void, Never>]

    static func start(directory: String, deployments: Int, seed: UInt64, logger: Logger) async throws -> DemoFleet {
        let platform = SimulatedPlatform(deployments: deployments, seed: seed)
        let simulator = PlatformSimulator(platform: platform, apiKey: apiKey)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let server = Task {
            do { try await simulator.run(port: 0) { portContinuation.yield($0) } } catch { portContinuation.finish() }
        }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next() else { throw CLIFailure(message: "the simulated platform did not start") }
        let url = "http://127.0.0.1:\(port)"
        let store = try SQLiteStore(path: (directory as NSString).appendingPathComponent("gateway.db"), gatewayId: gatewayId)
        let client = PlatformClient(baseURL: url, apiKey: apiKey, timeout: .seconds(10), logger: logger)
        let engine = SyncEngine(store: store, platform: client, logger: logger)
        var tasks: [Task<Void, Never>] = [Task { _ = await server.result }]
        let hub = HubBroadcast()
        for (i, delay) in [nil, nil, Duration.milliseconds(40)].enumerated() {
            var options = ReplicaOptions()
            options.applyDelay = delay
            let onApply: (@Sendable (HubEvent) -> Void)? = i == 0 ? { @Sendable event in hub.publish(event) } : nil
            let runner = ReplicaRunner(
                store: store, replicaId: "replica-\(i + 1)\(delay == nil ? "" : "-slow")", options: options, logger: logger,
                onApply: onApply)
            tasks.append(Task { try? await runner.run() })
        }
        let actor = Actor(user: "demo", clientAddress: nil)
        tasks.append(Task {
            _ = try? await engine.run(trigger: .startup, requestedBy: actor)
            // The platform's keys and subscriptions, as a gateway loads them when it connects.
            let credentials = CredentialLoad(store: store, platform: client, logger: logger)
            _ = try? await credentials.run()
            await churn(simulator: simulator, engine: engine, credentials: credentials, actor: actor, seed: seed)
        })
        return DemoFleet(store: store, client: client, engine: engine, platform: platform, platformURL: url, hub: hub, tasks: tasks)
    }

    func stop() {
        for task in tasks { task.cancel() }
    }

    /// The demo's controller socket at `path`, served as `gwops controller` serves it, and a client
    /// connected to it.
    func serveControlSocket(at path: String, thresholds: LagThresholds, logger: Logger) async throws -> (client: ControlClient, stop: @Sendable () -> Void) {
        let service = LocalGatewayService(
            store: store, engine: engine, platform: client, thresholds: thresholds, actor: Actor(user: "controller", clientAddress: nil))
        let server = ControlServer(
            path: path, service: service, policy: AccessPolicy(viewers: [], operators: [], serviceUID: getuid()), hub: hub, logger: logger)
        let task = try await server.start()
        guard let client = try await ControlClient.connect(path: path, environment: ProcessInfo.processInfo.environment) else {
            task.cancel()
            throw CLIFailure(message: "the demo's control socket \(path) does not answer (see demo.log)")
        }
        return (client, { task.cancel() })
    }

    /// Changes the platform every few seconds and resyncs now and then, so events flow.
    static func churn(simulator: PlatformSimulator, engine: SyncEngine, credentials: CredentialLoad, actor: Actor, seed: UInt64) async {
        let platform = simulator.platform
        var rng = SeededRandom(seed: seed &+ 99)
        var tick = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(2))
            let all = await platform.all()
            guard !all.isEmpty else { continue }
            let target = all[Int(rng.next() % UInt64(all.count))].id
            switch rng.next() % 8 {
            case 0: _ = await platform.undeploy(target)
            case 1, 2: _ = await platform.deploy(target)
            case 3: _ = await platform.deleteDeployment(target)
            case 4: _ = await platform.deleteArtifact(target)
            case 5: await simulator.createAPIKey(on: target)
            case 6: await simulator.createSubscription(on: target)
            default: _ = await platform.create(count: 3)
            }
            tick += 1
            if tick % 3 == 0 {
                _ = try? await engine.run(trigger: .demo, requestedBy: actor)
                _ = try? await credentials.run()
            }
        }
    }
}
