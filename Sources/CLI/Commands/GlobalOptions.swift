import ArgumentParser
import ControlSocket
import Core
import Foundation
import Logging

/// Options every store-backed command takes.
package struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $GWOPS_CONFIG, $XDG_CONFIG_HOME/gwops/config.toml, /etc/gwops/config.toml).")
    package var config: String?
    @Flag(name: .long, help: "Use the store directly, not the controller's control socket (needs the store's access, and for syncs the platform key).")
    package var direct = false

    package init() {}

    package var environment: [String: String] { ProcessInfo.processInfo.environment }

    package func loadConfig() throws -> GwopsConfig {
        let path = ConfigLoader.resolvePath(explicit: config, environment: environment)
        return try ConfigLoader.load(path: path)
    }

    /// Why this session is read-only, or nil: `GWOPS_READONLY=1` in the environment (set it in
    /// a shared viewing account's profile) or `[console] readonly = true`.
    func readOnlyReason(_ config: GwopsConfig) -> String? {
        if let value = environment["GWOPS_READONLY"], !value.isEmpty, value != "0" { return "GWOPS_READONLY=\(value)" }
        if config.console.readonly { return "[console] readonly = true in \(config.sourcePath ?? "the config")" }
        return nil
    }

    /// Whether this session is read-only (`GWOPS_READONLY`, `[console] readonly`).
    func isReadOnly(_ config: GwopsConfig) -> Bool { readOnlyReason(config) != nil }

    /// Refuses an operator action that changes the gateway in a read-only session, before
    /// anything is opened or changed.
    func refuseIfReadOnly(_ config: GwopsConfig, _ action: String) throws {
        guard let why = readOnlyReason(config) else { return }
        throw CLIFailure(message: "read-only (\(why)): \(action) would change the gateway; nothing was changed", code: 3)
    }
}

/// Opening the things commands need, with operator-readable failures.
package enum Runtime {
    /// Opens the configured store; `readonly` (a read-only session) opens it for reading only:
    /// SQLite read-only connections, PostgreSQL sessions with `default_transaction_read_only`,
    /// nothing created or migrated, every write refused.
    package static func openStore(_ config: GwopsConfig, mustExist: Bool = false, readonly: Bool = false) async throws -> any GatewayStore {
        switch config.store.backend {
        case .sqlite:
            let path = config.sqlitePath
            // (Read-only, the store says itself that there is no file, or which one it may not read.)
            // (A directory on the way this user may not enter is not "no store": the store says why.)
            if mustExist, !readonly, access(path, F_OK) != 0, errno == ENOENT {
                throw CLIFailure(message: "no store at \(path): run `gwops sync` or `gwops controller` first, or set [store] path")
            }
            return try SQLiteStore(path: path, gatewayId: config.gateway.id, readonly: readonly)
        case .postgres:
            guard let url = config.store.url else {
                throw ConfigError(file: config.sourcePath ?? "config", key: "store.url", reason: "required when backend = \"postgres\"")
            }
            let endpoint = try PostgresEndpoint.parse(url: url, tls: config.store.tls, caFile: config.store.caFile)
            if let warning = endpoint.warning { Terminal.warning(warning) }
            // The password never goes on a command line or in the URL: PGPASSWORD, as libpq does.
            let password = ProcessInfo.processInfo.environment["PGPASSWORD"]
            return try await PostgresStore.connect(endpoint: endpoint, gatewayId: config.gateway.id, password: password, readonly: readonly)
        }
    }

    package static func platformClient(_ config: GwopsConfig, environment: [String: String], logger: Logger) throws -> PlatformClient {
        let key = try config.resolveAPIKey(environment: environment)
        if !config.platform.tlsVerify {
            Terminal.warning("[platform] tls_verify = false: the platform's TLS certificate is not checked")
        }
        return PlatformClient(
            baseURL: config.platform.url, apiKey: key, timeout: config.platform.timeout, tlsVerify: config.platform.tlsVerify,
            logger: logger)
    }

    /// A logger to stderr at `level`; the console never uses this (it logs to a file).
    package static func logger(_ label: String, level: Logger.Level) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }

    /// The controller's client when its socket answers; nil with `--direct`, `[control] enabled =
    /// false`, or nobody serving the path.
    static func controller(_ config: GwopsConfig, global: GlobalOptions) async throws -> ControlClient? {
        guard !global.direct, config.control.enabled else { return nil }
        return try await ControlClient.connect(path: config.controlSocketPath, environment: global.environment)
    }

    /// The gateway as this command should reach it: the controller's socket when one answers
    /// there (unless `--direct`), else the store (read-only in a read-only session) with an
    /// engine when the platform key can be read.
    static func gatewayService(
        _ config: GwopsConfig, global: GlobalOptions, readonly: Bool, needsPlatform: Bool, logger: Logger, mustExist: Bool = true
    ) async throws -> any GatewayService {
        // A controller that listens but is too busy to answer: the store directly, saying so, when
        // this account may use it; else that, with why the store is no way around it.
        var busy: ControllerBusy?
        do {
            if let client = try await controller(config, global: global) { return client }
        } catch let error as ControllerBusy {
            busy = error
        }
        let store: any GatewayStore
        var client: PlatformClient?
        do {
            store = try await openStore(config, mustExist: mustExist, readonly: readonly)
            if needsPlatform { client = try platformClient(config, environment: global.environment, logger: logger) }
        } catch {
            if var busy {
                busy.storeProblem = "\(error)"
                throw busy
            }
            if !global.direct, config.control.enabled {
                Terminal.note(
                    "no gwops controller answers at \(config.controlSocketPath), so this went to the store directly; "
                        + "start the controller (systemctl start gwops-controller) to work through it, or run as its service account")
            }
            throw error
        }
        if let busy { Terminal.note("\(busy), so this went to the store directly") }
        return LocalGatewayService(
            store: store, engine: client.map { SyncEngine(store: store, platform: $0, options: config.syncOptions, logger: logger) },
            platform: client, thresholds: config.lagThresholds, actor: actor,
            actionRefusal: readonly ? "read-only (\(global.readOnlyReason(config) ?? "--readonly")): nothing is changed" : nil)
    }

    package static var actor: Principal { Principal.current(environment: ProcessInfo.processInfo.environment) }
}
