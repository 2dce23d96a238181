import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The validated contents of a `gwops` configuration file (see `ConfigLoader`).
///
/// Every section has defaults except `gateway.id` and `platform.url`. Property names are the
/// camel-cased TOML keys: `[controller.sync] batch_size` is `controller.sync.batchSize`.
public struct GwopsConfig: Sendable, Equatable {
    /// `[gateway]`: which gateway this host serves.
    public struct Gateway: Sendable, Equatable {
        /// The platform's gateway id (`id`, required, non-empty).
        public var id: String

        public init(id: String) {
            self.id = id
        }
    }

    /// `[platform]`: how to reach the platform API.
    public struct Platform: Sendable, Equatable {
        /// Base URL, http or https, without a trailing slash (`url`, required).
        public var url: String
        /// File holding the API key (`api_key_file`); must not be accessible by group or others.
        public var apiKeyFile: String?
        /// Environment variable holding the API key (`api_key_env`).
        public var apiKeyEnv: String?
        /// Per-request timeout (`timeout`, default 30 s).
        public var timeout: Duration
        /// Whether TLS certificates are verified (`tls_verify`, default true).
        public var tlsVerify: Bool

        public init(
            url: String,
            apiKeyFile: String? = nil,
            apiKeyEnv: String? = nil,
            timeout: Duration = .seconds(30),
            tlsVerify: Bool = true
        ) {
            self.url = url
            self.apiKeyFile = apiKeyFile
            self.apiKeyEnv = apiKeyEnv
            self.timeout = timeout
            self.tlsVerify = tlsVerify
        }
    }

    /// The database engine behind the store and the event hub.
    public enum StoreBackend: String, Sendable, Equatable, CaseIterable {
        case sqlite
        case postgres
    }

    /// `[store]`: where artifacts and events are kept.
    public struct Store: Sendable, Equatable {
        /// The SQLite file used when `path` is not set.
        public static let defaultSQLitePath = "/var/lib/gwops/gateway.db"

        /// `backend`, default `sqlite`.
        public var backend: StoreBackend
        /// SQLite database file (`path`); defaults to `defaultSQLitePath` for the sqlite backend.
        public var path: String?
        /// PostgreSQL connection URL (`url`); required when `backend = "postgres"`. May carry
        /// libpq's `sslmode` and `sslrootcert` query parameters instead of `tls` and `ca_file`.
        public var url: String?
        /// PostgreSQL TLS mode (`tls`, libpq's `sslmode` values); nil: `verify-full` for another
        /// host, `prefer` for this one (see `PostgresEndpoint`).
        public var tls: PostgresTLSMode?
        /// PEM file of the CAs that `verify-ca` and `verify-full` trust (`ca_file`); nil: the
        /// system's trust store.
        public var caFile: String?

        public init(
            backend: StoreBackend = .sqlite, path: String? = Store.defaultSQLitePath, url: String? = nil,
            tls: PostgresTLSMode? = nil, caFile: String? = nil
        ) {
            self.backend = backend
            self.path = path
            self.url = url
            self.tls = tls
            self.caFile = caFile
        }
    }

    /// `[controller.sync]`: tuning of the startup sync.
    public struct Sync: Sendable, Equatable {
        public static let batchSizeRange = 1...1000
        public static let fetchConcurrencyRange = 1...64
        public static let existsChunkSizeRange = 1...10000

        /// Artifacts written per transaction (`batch_size`, default 50, 1...1000).
        public var batchSize: Int
        /// Parallel deployment fetches (`fetch_concurrency`, default 4, 1...64).
        public var fetchConcurrency: Int
        /// Ids per existence query (`exists_chunk_size`, default 500, 1...10000).
        public var existsChunkSize: Int
        /// `orphan_policy`, default `review`.
        public var orphanPolicy: OrphanPolicy

        public init(
            batchSize: Int = 50,
            fetchConcurrency: Int = 4,
            existsChunkSize: Int = 500,
            orphanPolicy: OrphanPolicy = .review
        ) {
            self.batchSize = batchSize
            self.fetchConcurrency = fetchConcurrency
            self.existsChunkSize = existsChunkSize
            self.orphanPolicy = orphanPolicy
        }
    }

    /// `[controller]`: the headless replica.
    public struct Controller: Sendable, Equatable {
        /// `[controller.sync]`.
        public var sync: Sync

        public init(sync: Sync = Sync()) {
            self.sync = sync
        }
    }

    /// `[eventhub]`: event retention and delivery.
    public struct EventHub: Sendable, Equatable {
        /// How long processed events are kept (`retention`, default 24 h).
        public var retention: Duration
        /// How often old events are deleted (`cleanup_interval`, default 60 s).
        public var cleanupInterval: Duration
        /// Poll period when change notifications are unavailable (`fallback_poll`, default 1 s).
        public var fallbackPoll: Duration

        public init(
            retention: Duration = .seconds(24 * 3600),
            cleanupInterval: Duration = .seconds(60),
            fallbackPoll: Duration = .seconds(1)
        ) {
            self.retention = retention
            self.cleanupInterval = cleanupInterval
            self.fallbackPoll = fallbackPoll
        }
    }

    /// `[lag]`: when a replica counts as behind or gone.
    public struct Lag: Sendable, Equatable {
        /// A replica without a heartbeat for this long is stale (`heartbeat_timeout`, default 15 s).
        public var heartbeatTimeout: Duration
        /// Warn when a replica is this many events behind (`warn_events`, default 1000).
        public var warnEvents: Int
        /// Warn when a replica is this far behind in time (`warn_seconds`, off by default).
        public var warnSeconds: Duration?
        /// Window over which lag rates are measured (`window`, default 30 s).
        public var window: Duration

        public init(
            heartbeatTimeout: Duration = .seconds(15),
            warnEvents: Int = 1000,
            warnSeconds: Duration? = nil,
            window: Duration = .seconds(30)
        ) {
            self.heartbeatTimeout = heartbeatTimeout
            self.warnEvents = warnEvents
            self.warnSeconds = warnSeconds
            self.window = window
        }
    }

    /// `[console]`: the terminal UI.
    public struct Console: Sendable, Equatable {
        /// Theme name (`theme`, default `"default"`).
        public var theme: String
        /// Screen refresh period (`refresh`, default 1 s).
        public var refresh: Duration
        /// Hide and refuse every mutating action (`readonly`, default false).
        public var readonly: Bool

        public init(theme: String = "default", refresh: Duration = .seconds(1), readonly: Bool = false) {
            self.theme = theme
            self.refresh = refresh
            self.readonly = readonly
        }
    }

    public var gateway: Gateway
    public var platform: Platform
    public var store: Store
    public var controller: Controller
    public var eventHub: EventHub
    public var lag: Lag
    public var console: Console
    public var control = Control()
    public var access = Access()
    public var metrics = Metrics()
    /// The file this configuration was read from (nil for built-in defaults); named in errors.
    public var sourcePath: String?

    public init(
        gateway: Gateway,
        platform: Platform,
        store: Store = Store(),
        controller: Controller = Controller(),
        eventHub: EventHub = EventHub(),
        lag: Lag = Lag(),
        console: Console = Console(),
        sourcePath: String? = nil
    ) {
        self.gateway = gateway
        self.platform = platform
        self.store = store
        self.controller = controller
        self.eventHub = eventHub
        self.lag = lag
        self.console = console
        self.sourcePath = sourcePath
    }

    /// A configuration with every default, for the demo and tests. Trailing slashes are
    /// removed from `platformURL`; nothing else is validated.
    public static func defaults(gatewayId: String, platformURL: String) -> GwopsConfig {
        var url = platformURL
        while url.hasSuffix("/") { url.removeLast() }
        return GwopsConfig(gateway: Gateway(id: gatewayId), platform: Platform(url: url))
    }
}

extension GwopsConfig {
    /// Reads the platform API key: from the variable named by `platform.api_key_env`, else from the
    /// file `platform.api_key_file` (trimmed). Refuses a key file that group or others can access.
    /// - Throws: `ConfigError` when neither is set, the variable or file is missing or empty, or the
    ///   file is unreadable or too permissive.
    public func resolveAPIKey(environment: [String: String]) throws -> String {
        let file = sourcePath ?? "(built-in defaults)"
        if let name = platform.apiKeyEnv {
            let key = "platform.api_key_env"
            guard let value = environment[name] else {
                throw ConfigError(file: file, key: key, reason: "environment variable \(name) is not set")
            }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else {
                throw ConfigError(file: file, key: key, reason: "environment variable \(name) is empty")
            }
            guard Self.isHeaderSafe(trimmed) else {
                throw ConfigError(file: file, key: key, reason: "the key in \(name) contains spaces or control characters")
            }
            return trimmed
        }
        guard let path = platform.apiKeyFile else {
            throw ConfigError(
                file: file,
                reason: "no platform API key configured: set platform.api_key_file or platform.api_key_env"
            )
        }
        return try Self.readKeyFile(path, configFile: file)
    }

    private static func readKeyFile(_ path: String, configFile: String) throws -> String {
        func failure(_ reason: String) -> ConfigError {
            ConfigError(file: configFile, key: "platform.api_key_file", reason: reason)
        }
        // Someone who may not read the key gets told so, with the file's owner and mode.
        let unreadable = { (fallback: String) -> ConfigError in
            let why = FileAccess.readProblem(path, noun: "key file") ?? fallback
            let owner = FileOwnership(of: path).map { "run as \($0.owner), the key's owner (the gateway's service account)" }
            return failure("\(why): \(owner ?? "run as the gateway's service account"), or use platform.api_key_env")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { throw failure("key file \(path) does not exist") }
            if code == EACCES { throw unreadable("key file \(path) cannot be read") }
            throw failure("key file \(path) cannot be read (\(String(cString: strerror(code))))")
        }
        let mode = Int(info.st_mode) & 0o777
        guard mode & 0o077 == 0 else {
            let shown = FileOwnership(owner: "", mode: mode).octalMode
            throw failure(
                "key file \(path) is accessible by group or others (mode \(shown)); run chmod 600 \(path)"
            )
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw unreadable("key file \(path) cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw failure("key file \(path) is not UTF-8 text")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw failure("key file \(path) is empty") }
        guard isHeaderSafe(trimmed) else { throw failure("the key in \(path) contains spaces or control characters") }
        return trimmed
    }

    /// True when the key can travel in an HTTP header as it is (visible ASCII, no spaces).
    static func isHeaderSafe(_ key: String) -> Bool {
        key.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
    }
}

extension GwopsConfig {
    /// Where the controller serves its control socket and clients look for it.
    public var controlSocketPath: String { control.socket ?? "/run/gwops/\(gateway.id).sock" }
}
