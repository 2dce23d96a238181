import ControlSocket
import Core
import Logging
import ServiceLifecycle
import UnixSignals

/// A gateway controller: one replica of the gateway's state with what serves it — the startup
/// sync or the live path, the retention cleaner, the syncs operators start, the control socket and
/// the metrics — as ServiceLifecycle services of one group. `gwops controller` runs one; the demo
/// runs three on one store file. Services start in order and stop in reverse: the socket and the
/// metrics first, then the syncs and the live path, the replica (which records its stop), and the
/// store last.
public struct Controller: Sendable {
    public let store: any GatewayStore
    public let replica: ReplicaRunner
    /// Every event the replica applies, for the socket's event streams.
    public let hub: HubBroadcast
    /// The sync engine; nil without a platform.
    public let engine: SyncEngine?
    /// The control socket's path when this controller serves one.
    public let socketPath: String?
    /// In start order.
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]
    let logger: Logger

    /// Builds the controller on an open `store` (which it closes when it stops). A control
    /// socket that another controller serves, or whose directory is missing, is an error here,
    /// before anything runs.
    public init(store: any GatewayStore, setup: ControllerSetup, logger: Logger) throws {
        self.store = store
        self.logger = logger
        let hub = HubBroadcast()
        self.hub = hub
        let onApply = setup.onApply
        replica = ReplicaRunner(store: store, replicaId: setup.replicaId, options: setup.replica, logger: logger) { event in
            onApply?(event)
            hub.publish(event)
        }
        let cleaner = RetentionCleaner(
            log: store, retention: setup.retention, interval: setup.cleanupInterval, clock: setup.replica.clock, logger: logger)
        let syncs = SyncWorker()
        let replica = self.replica
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: StoreService(store: store)),
            .init(service: LoopService("replica \(setup.replicaId)") { try await replica.run() }),
            .init(service: LoopService("retention cleaner") { await cleaner.run() }),
        ]
        // What the controller last heard from the platform, for the metrics.
        let health = PlatformHealth()
        var engine: SyncEngine?
        if let platform = setup.platform {
            let observed = ObservedPlatform(platform.client, health: health)
            let sync = SyncEngine(store: store, platform: observed, options: platform.sync, logger: logger)
            engine = sync
            if let live = platform.live {
                let session = Self.liveSession(store: store, platform: platform, live: live, observed: observed, engine: sync, logger: logger)
                services.append(.init(service: LoopService("live path") { try await session.run() }))
            } else {
                // Sync once at start, then wait to be stopped: a service that returns while the
                // group stops the others would be taken for one that failed.
                services.append(.init(service: LoopService("startup sync") {
                    await Self.sync(sync, trigger: .startup, logger: logger)
                    try await gracefulShutdown()
                }))
            }
        }
        self.engine = engine
        services.append(.init(service: LoopService("operators' syncs") {
            await withTaskCancellationHandler { await syncs.run() } onCancel: { syncs.finish() }
        }))
        var socketStats: (@Sendable () -> ControlSocketStats)?
        if let control = setup.control {
            let service = LocalGatewayService(
                store: store, engine: engine, platform: engine?.platform, thresholds: setup.thresholds,
                actor: Principal(user: "controller", clientAddress: nil), syncs: syncs, refusalAudits: Throttle(period: .seconds(60)))
            let server = ControlServer(
                path: control.path, service: service, policy: control.policy, hub: hub, logger: logger, limits: control.limits,
                onListening: control.onListening)
            socketStats = { server.stats }
            // Claimed before anything runs: a path another controller serves stops this one at once.
            try server.claim()
            services.append(.init(service: server))
        }
        socketPath = setup.control?.path
        if let metrics = setup.metrics {
            let collector = ControllerMetrics(store: store, thresholds: setup.thresholds, health: health, controlSocket: socketStats)
            services.append(.init(service: MetricsServer(host: metrics.host, port: metrics.port, metrics: collector, logger: logger)))
        }
        self.services = services
    }

    /// Runs every service until one of `signals` (or cancellation), then stops them in reverse
    /// order. The first service to fail stops the others and its error is thrown.
    public func run(gracefulShutdownSignals signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
        try await group.run()
    }

    /// Runs a sync; a busy or failed one is logged, never fatal (the replica keeps running).
    static func sync(_ engine: SyncEngine, trigger: SyncTrigger, logger: Logger) async {
        do {
            let record = try await engine.run(trigger: trigger, requestedBy: Principal(user: "controller", clientAddress: nil))
            logger.info("sync finished", metadata: ["run": "\(record.id)", "trigger": "\(trigger.rawValue)", "outcome": "\(record.outcome.rawValue)"])
        } catch let SyncError.busy(holder, runId) {
            // Normal in a fleet: another replica is syncing for everyone.
            logger.info("sync left to the running one", metadata: ["holder": "\(holder)", "run": "\(runId ?? 0)"])
        } catch {
            logger.error("sync did not complete", metadata: ["error": "\(error)"])
        }
    }

    /// The live path: a sync after every connection, then the keys and subscriptions to honour,
    /// as a gateway loads them when it connects.
    static func liveSession(
        store: any GatewayStore, platform: ControllerSetup.Platform, live: ControllerSetup.Live, observed: ObservedPlatform,
        engine: SyncEngine, logger: Logger
    ) -> LiveSession {
        // The live path's key changes and the load on each connection take turns (CredentialGate).
        let gate = CredentialGate()
        let handler = LiveEventHandler(
            store: store, platform: observed, orphanPolicy: platform.sync.orphanPolicy, credentials: gate, logger: logger)
        let credentials = CredentialLoad(
            store: store, platform: platform.client, concurrency: platform.sync.fetchConcurrency, gate: gate, logger: logger)
        return LiveSession(
            platformURL: live.url, apiKey: live.apiKey, tlsVerify: live.tlsVerify, handler: handler, platform: observed,
            options: live.options, logger: logger
        ) { reason in
            await sync(engine, trigger: reason.trigger, logger: logger)
            if case .connected = reason {
                do { _ = try await credentials.run() } catch {
                    logger.error("API keys and subscriptions not loaded", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
