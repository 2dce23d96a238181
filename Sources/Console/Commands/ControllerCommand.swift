import ArgumentParser
import Control
import Core
import Foundation
import Synchronization
import Logging
import ServiceLifecycle

/// `gwops controller`: a headless replica.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run a headless replica: sync on start, apply hub events, heartbeat, prune past retention.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "This replica's id (stable across restarts: the cursor is kept under it).")
    var replicaId: String
    @Flag(name: .long, help: "No platform at all: no startup sync, no live path (replica only).")
    var skipSync = false
    @Flag(name: .long, help: "No live path: sync once at start only.")
    var noLive = false
    @Option(name: .long, help: .hidden) var applyLog: String?
    @Option(name: .long, help: .hidden) var applyDelayMs: Int?

    func run() async throws {
        let config = try global.loadConfig()
        let store = try await Runtime.openStore(config)
        let logger = Runtime.logger("gwops.controller", level: .info)
        var engine: SyncEngine?
        var live: LiveSession?
        // What the controller last heard from the platform, for the metrics.
        let health = PlatformHealth()
        if !skipSync {
            let client = try Runtime.platformClient(config, environment: global.environment, logger: logger)
            let platform = ObservedPlatform(client, health: health)
            let sync = SyncEngine(store: store, platform: platform, options: config.syncOptions, logger: logger)
            engine = sync
            if !noLive {
                // The live path's key changes and the load on each connection take turns (CredentialGate).
                let gate = CredentialGate()
                let handler = LiveEventHandler(
                    store: store, platform: platform, orphanPolicy: config.controller.sync.orphanPolicy, credentials: gate, logger: logger)
                let credentials = CredentialLoad(
                    store: store, platform: client, concurrency: config.controller.sync.fetchConcurrency, gate: gate, logger: logger)
                live = LiveSession(
                    platformURL: config.platform.url, apiKey: try config.resolveAPIKey(environment: global.environment),
                    tlsVerify: config.platform.tlsVerify, handler: handler, platform: platform, logger: logger
                ) { reason in
                    await ControllerService.sync(sync, trigger: reason.trigger, logger: logger)
                    // As a gateway does when it connects: the keys and subscriptions to honour.
                    if case .connected = reason {
                        do { _ = try await credentials.run() } catch {
                            logger.error("API keys and subscriptions not loaded", metadata: ["error": "\(error)"])
                        }
                    }
                }
            }
        }
        var options = ReplicaOptions()
        options.fallbackPoll = config.eventHub.fallbackPoll
        if let applyDelayMs { options.applyDelay = .milliseconds(applyDelayMs) }
        let log = try applyLog.map(ApplyLog.init(path:))
        let hub = HubBroadcast()
        let runner = ReplicaRunner(store: store, replicaId: replicaId, options: options, logger: logger) { event in
            log?.append(event)
            hub.publish(event)
        }
        let cleaner = RetentionCleaner(
            log: store, retention: config.eventHub.retention, interval: config.eventHub.cleanupInterval, logger: logger)
        // The socket is claimed before anything runs: a path another controller serves stops this
        // one at once, in words.
        var servers: [Task<Void, any Error>] = []
        defer { for s in servers { s.cancel() } }
        if let control = try controlServer(config, store: store, engine: engine, hub: hub, logger: logger) {
            servers.append(try await control.start())
        }
        if let host = config.metrics.host {
            let metrics = ControllerMetrics(store: store, thresholds: config.lagThresholds, health: health)
            servers.append(try await MetricsServer(host: host, port: config.metrics.port, metrics: metrics, logger: logger).start())
        }
        let service = ControllerService(
            runner: runner, cleaner: cleaner, engine: live == nil ? engine : nil, live: live, servers: servers, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { log?.close() }
        try await group.run()
    }
}

extension ControllerCommand {
    /// The control socket this controller serves, or nil: `[control] enabled = false`, or the
    /// default path's directory missing (a development run; the systemd unit makes /run/gwops).
    func controlServer(_ config: GwopsConfig, store: any GatewayStore, engine: SyncEngine?, hub: HubBroadcast, logger: Logger) throws -> ControlServer? {
        guard config.control.enabled else { return nil }
        let path = config.controlSocketPath
        let directory = (path as NSString).deletingLastPathComponent
        if config.control.socket == nil, !FileManager.default.fileExists(atPath: directory) {
            logger.warning(
                "no control socket: \(directory) does not exist (the systemd unit's RuntimeDirectory makes it; or set [control] socket)")
            return nil
        }
        let service = LocalGatewayService(
            store: store, engine: engine, platform: engine?.platform, thresholds: config.lagThresholds,
            actor: Actor(user: "controller", clientAddress: nil))
        let policy = AccessPolicy(viewers: config.access.viewers, operators: config.access.operators, serviceUID: getuid())
        return ControlServer(path: path, service: service, policy: policy, hub: hub, logger: logger)
    }
}

/// The replica, the retention cleaner and the startup sync under one service.
struct ControllerService: Service {
    let runner: ReplicaRunner
    let cleaner: RetentionCleaner
    /// Sync once at start (no live path).
    let engine: SyncEngine?
    /// The live path; it syncs after every connection itself.
    let live: LiveSession?
    /// The control socket and the metrics endpoint, already serving.
    let servers: [Task<Void, any Error>]
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                group.addTask { await cleaner.run() }
                if let engine {
                    group.addTask { await Self.sync(engine, trigger: .startup, logger: logger) }
                }
                if let live {
                    group.addTask { try await live.run() }
                }
                for server in servers {
                    group.addTask { try await withTaskCancellationHandler { try await server.value } onCancel: { server.cancel() } }
                }
                // Runs until cancelled; the first failure (the store, a refused api-key) ends
                // everything at once (waitForAll would wait for the others first).
                do {
                    while try await group.next() != nil {}
                } catch {
                    group.cancelAll()
                    throw error
                }
            }
        }
    }
}

extension ControllerService {
    /// Runs a sync; a busy or failed one is logged, never fatal (the replica keeps running).
    static func sync(_ engine: SyncEngine, trigger: SyncTrigger, logger: Logger) async {
        do {
            let record = try await engine.run(trigger: trigger, requestedBy: Actor(user: "controller", clientAddress: nil))
            logger.info("sync finished", metadata: ["run": "\(record.id)", "trigger": "\(trigger.rawValue)", "outcome": "\(record.outcome.rawValue)"])
        } catch let SyncError.busy(holder, runId) {
            // Normal in a fleet: another replica is syncing for everyone.
            logger.info("sync left to the running one", metadata: ["holder": "\(holder)", "run": "\(runId ?? 0)"])
        } catch {
            logger.error("sync did not complete", metadata: ["error": "\(error)"])
        }
    }
}

/// Appends `seq event_id` lines for every applied event (tests check order and completeness).
///
/// The replica reports events at least once across crashes; the log keeps its last seq (read
/// back when it opens) and skips what it already has, so each seq appears exactly once. A line
/// cut short by a kill is dropped when the log reopens.
final class ApplyLog: Sendable {
    let handle: FileHandle
    private let lastSeq: Mutex<Int64>

    init(path: String) throws {
        let exists = FileManager.default.fileExists(atPath: path)
        guard exists || FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forUpdatingAtPath: path)
        else {
            throw CLIFailure(message: "cannot write apply log \(path)")
        }
        var text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        if !text.isEmpty, !text.hasSuffix("\n") {
            text = String(text[..<(text.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex)])
            try handle.truncate(atOffset: UInt64(text.utf8.count))
        }
        handle.seekToEndOfFile()
        self.handle = handle
        let last = text.split(separator: "\n").last.flatMap { Int64($0.split(separator: " ").first ?? "") } ?? 0
        lastSeq = Mutex(last)
    }

    func append(_ event: HubEvent) {
        let isNew = lastSeq.withLock { last in
            guard event.seq > last else { return false }
            last = event.seq
            return true
        }
        if isNew { handle.write(Data("\(event.seq) \(event.eventId)\n".utf8)) }
    }

    func close() { try? handle.close() }
}
