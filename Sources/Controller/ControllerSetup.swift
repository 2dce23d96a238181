import ControlSocket
import Core
import Foundation
import Logging

/// What a controller runs: its replica, and optionally the platform (sync, live path), the
/// control socket and the metrics endpoint.
public struct ControllerSetup: Sendable {
    /// The platform: the sync engine's client, and the live path (nil: sync once at start).
    public struct Platform: Sendable {
        public var client: any PlatformAPI & PlatformCredentialsAPI
        public var sync: SyncOptions
        public var live: Live?

        public init(client: any PlatformAPI & PlatformCredentialsAPI, sync: SyncOptions, live: Live?) {
            self.client = client
            self.sync = sync
            self.live = live
        }
    }

    /// The platform's WebSocket.
    public struct Live: Sendable {
        public var url: String
        public var apiKey: String
        public var tlsVerify: Bool
        public var options: LiveOptions

        public init(url: String, apiKey: String, tlsVerify: Bool, options: LiveOptions = LiveOptions()) {
            self.url = url
            self.apiKey = apiKey
            self.tlsVerify = tlsVerify
            self.options = options
        }
    }

    /// The control socket: where, and who may do what.
    public struct Control: Sendable {
        public var path: String
        public var policy: AccessPolicy
        public var limits: ControlLimits
        /// Hears once the socket accepts.
        public var onListening: @Sendable () async -> Void

        public init(
            path: String, policy: AccessPolicy, limits: ControlLimits = ControlLimits(), onListening: @escaping @Sendable () async -> Void = {}
        ) {
            self.path = path
            self.policy = policy
            self.limits = limits
            self.onListening = onListening
        }
    }

    /// This replica's id (stable across restarts: its cursor is kept under it).
    public var replicaId: String
    public var replica = ReplicaOptions()
    /// nil: a replica only (no sync, no live path).
    public var platform: Platform?
    public var control: Control?
    public var metrics: (host: String, port: Int)?
    public var thresholds = LagThresholds()
    public var retention: Duration = .seconds(86_400)
    public var cleanupInterval: Duration = .seconds(60)
    /// Hears every event the replica applies, in order, before its cursor is stored (at least
    /// once across crashes).
    public var onApply: (@Sendable (HubEvent) -> Void)?

    public init(replicaId: String) {
        self.replicaId = replicaId
    }
}

extension ControllerSetup {
    /// The setup `[gateway]`, `[eventhub]`, `[lag]`, `[control]`, `[access]` and `[metrics]` of
    /// `config` describe, with `platform` (nil: a replica only) and the live path when `live`.
    /// A default socket path whose directory is missing means no socket (a development run;
    /// the systemd unit makes /run/gwops), with a warning.
    public init(
        config: GwopsConfig, replicaId: String, platform client: (any PlatformAPI & PlatformCredentialsAPI)?, live: Bool,
        environment: [String: String], logger: Logger
    ) throws {
        self.init(replicaId: replicaId)
        replica.fallbackPoll = config.eventHub.fallbackPoll
        thresholds = config.lagThresholds
        retention = config.eventHub.retention
        cleanupInterval = config.eventHub.cleanupInterval
        if let client {
            let liveSetup = try live
                ? Live(url: config.platform.url, apiKey: config.resolveAPIKey(environment: environment), tlsVerify: config.platform.tlsVerify)
                : nil
            platform = Platform(client: client, sync: config.syncOptions, live: liveSetup)
        }
        if config.control.enabled {
            let path = config.controlSocketPath
            let directory = (path as NSString).deletingLastPathComponent
            if config.control.socket == nil, !FileManager.default.fileExists(atPath: directory) {
                logger.warning(
                    "no control socket: \(directory) does not exist (the systemd unit's RuntimeDirectory makes it; or set [control] socket)")
            } else {
                control = Control(
                    path: path, policy: AccessPolicy(viewers: config.access.viewers, operators: config.access.operators, serviceUID: getuid()),
                    limits: ControlLimits(perAccount: config.control.maxConnectionsPerUser))
            }
        }
        if let host = config.metrics.host { metrics = (host, config.metrics.port) }
    }
}
