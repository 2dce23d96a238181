import CLI
import ControlSocket
import Controller
import Core
import Foundation
import Logging
import PlatformSim
import ServiceLifecycle

/// The demo's gateway: three controllers on one SQLite file, each as `gwops controller` runs
/// (its own store connections, its own replica), and churn on the simulated platform.
/// `replica-1` syncs with the platform at start (the churn resyncs every 6 s) and serves the
/// control socket the console uses; `replica-2` and `replica-3-slow` only apply the hub (the slow
/// one 40 ms an event, so lag shows). No live path: a WebSocket client cancelled at quit may leave
/// its connection half-open, and the in-process simulator would wait for it before it stops.
struct DemoFleet: Sendable {
    static let gatewayId = "gw-demo"
    static let apiKey = "demo-key"
    /// Short windows, so the demo's replicas change status within seconds.
    static let thresholds: LagThresholds = {
        var t = LagThresholds()
        t.heartbeatTimeout = .seconds(5)
        t.window = .seconds(20)
        return t
    }()

    let platformURL: String
    let socket: String
    /// Every service of the three controllers and the churn, in start order.
    let services: [ServiceGroupConfiguration.ServiceConfiguration]
    private let listening: AsyncStream<Void>
    private let heard: AsyncStream<Void>.Continuation

    init(
        directory: String, platformURL: String, simulator: PlatformSimulator, connections: PlatformClient.Connections, seed: UInt64,
        logger: Logger
    ) throws {
        self.platformURL = platformURL
        socket = (directory as NSString).appendingPathComponent("control.sock")
        let storePath = (directory as NSString).appendingPathComponent("gateway.db")
        let client = PlatformClient(baseURL: platformURL, apiKey: Self.apiKey, timeout: .seconds(10), connections: connections, logger: logger)
        let (listening, heard) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.listening = listening
        self.heard = heard
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var first: Controller?
        for (i, delay) in [nil, nil, Duration.milliseconds(40)].enumerated() {
            var setup = ControllerSetup(replicaId: "replica-\(i + 1)\(delay == nil ? "" : "-slow")")
            setup.replica.applyDelay = delay
            setup.thresholds = Self.thresholds
            if i == 0 {
                setup.platform = .init(client: client, sync: SyncOptions(), live: nil)
                setup.control = .init(path: socket, policy: AccessPolicy(viewers: [], operators: [], serviceUID: getuid())) {
                    heard.yield()
                }
            }
            let controller = try Controller(store: try SQLiteStore(path: storePath, gatewayId: Self.gatewayId), setup: setup, logger: logger)
            if i == 0 { first = controller }
            services += controller.services
        }
        if let engine = first?.engine, let store = first?.store {
            let credentials = CredentialLoad(store: store, platform: client, logger: logger)
            let churn = DemoChurn(store: store, simulator: simulator, engine: engine, credentials: credentials, seed: seed)
            services.append(.init(service: LoopService("demo churn") { try await churn.run() }))
        }
        self.services = services
    }

    /// The services stopped: `connect` no longer waits.
    func stopped() { heard.finish() }

    /// A client of replica-1's socket once it accepts; nil when the services stopped first.
    func connect() async throws -> ControlClient? {
        var heard = listening.makeAsyncIterator()
        guard await heard.next() != nil else { return nil }
        return try await ControlClient.awaitController(path: socket, environment: ProcessInfo.processInfo.environment)
    }
}

/// Changes the platform every 2 s, with API keys and subscriptions, and resyncs every 6 s, so
/// events flow.
struct DemoChurn: Sendable {
    let store: any GatewayStore
    let simulator: PlatformSimulator
    let engine: SyncEngine
    let credentials: CredentialLoad
    let seed: UInt64

    /// Until cancelled.
    func run() async throws {
        let platform = simulator.platform
        let actor = Principal(user: "demo", clientAddress: nil)
        var rng = SeededRandom(seed: seed &+ 99)
        var tick = 0
        // The keys and subscriptions at stake, as a gateway loads them, once the startup sync is in.
        while try await store.syncRuns(limit: 1).first?.finishedAt == nil {
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = try? await credentials.run()
        while true {
            try await Task.sleep(for: .seconds(2))
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
