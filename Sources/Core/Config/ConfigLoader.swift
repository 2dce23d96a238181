import Foundation

/// Finds, reads and validates the TOML configuration file.
///
/// Strict by design: unknown sections and keys, wrong types and out-of-range values are all
/// `ConfigError`s naming the file and dotted key, so a typo never silently falls back to a default.
public enum ConfigLoader {
    /// The system-wide configuration file, used when nothing more specific exists.
    public static let systemPath = "/etc/gwops/config.toml"

    /// The configuration file to use: `explicit` (`--config`), else `$GWOPS_CONFIG`, else
    /// `$XDG_CONFIG_HOME/gwops/config.toml` (`$HOME/.config/...` when unset) if that file exists,
    /// else `/etc/gwops/config.toml`.
    public static func resolvePath(
        explicit: String?,
        environment: [String: String],
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnv = environment["GWOPS_CONFIG"], !fromEnv.isEmpty { return fromEnv }
        let configHome: String?
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            configHome = xdg
        } else if let home = environment["HOME"], !home.isEmpty {
            configHome = home + "/.config"
        } else {
            configHome = nil
        }
        if let configHome {
            let userPath = configHome + "/gwops/config.toml"
            if fileExists(userPath) { return userPath }
        }
        return systemPath
    }

    /// Reads and validates the file at `path`.
    /// - Throws: `ConfigError` when the file is missing, unreadable, not TOML, or invalid.
    public static func load(path: String) throws -> GwopsConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            // Not there, or behind a directory this user may not enter (said with its owner and mode).
            if access(path, F_OK) != 0, errno == EACCES, let problem = FileAccess.readProblem(path) {
                throw ConfigError(file: path, reason: problem)
            }
            throw ConfigError(file: path, reason: "file not found")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, reason: FileAccess.readProblem(path) ?? "file cannot be read (check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, reason: "file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Validates TOML `text`; `file` is only used in errors and as `sourcePath`.
    /// - Throws: `ConfigError` on a syntax error (with its line) or an invalid key.
    public static func parse(_ text: String, file: String) throws -> GwopsConfig {
        let root: TOMLTable
        do {
            root = try TOMLTable(parsing: text)
        } catch let error as TOMLError {
            throw ConfigError(file: file, line: error.line, reason: error.reason)
        }

        let top = try ConfigSection(
            root, path: "", file: file,
            keys: ["gateway", "platform", "store", "controller", "eventhub", "lag", "console", "control", "access", "metrics"]
        )

        let gatewaySection = try top.subsection("gateway", keys: ["id"])
        let gateway = GwopsConfig.Gateway(
            id: try gatewaySection.required("id", gatewaySection.identifier("id"))
        )
        let platform = try readPlatform(
            top.subsection("platform", keys: ["url", "api_key_file", "api_key_env", "timeout", "tls_verify"])
        )
        let store = try readStore(top.subsection("store", keys: ["backend", "path", "url", "tls", "ca_file"]))

        let controller = try top.subsection("controller", keys: ["sync"])
        let sync = try controller.subsection(
            "sync", keys: ["batch_size", "fetch_concurrency", "exists_chunk_size", "orphan_policy"]
        )
        let syncDefaults = GwopsConfig.Sync()
        let syncConfig = GwopsConfig.Sync(
            batchSize: try sync.int("batch_size", in: GwopsConfig.Sync.batchSizeRange) ?? syncDefaults.batchSize,
            fetchConcurrency: try sync.int("fetch_concurrency", in: GwopsConfig.Sync.fetchConcurrencyRange)
                ?? syncDefaults.fetchConcurrency,
            existsChunkSize: try sync.int("exists_chunk_size", in: GwopsConfig.Sync.existsChunkSizeRange)
                ?? syncDefaults.existsChunkSize,
            orphanPolicy: try sync.choice("orphan_policy", of: OrphanPolicy.self) ?? .review
        )

        let hub = try top.subsection("eventhub", keys: ["retention", "cleanup_interval", "fallback_poll"])
        let hubDefaults = GwopsConfig.EventHub()
        let eventHub = GwopsConfig.EventHub(
            retention: try hub.duration("retention") ?? hubDefaults.retention,
            cleanupInterval: try hub.duration("cleanup_interval") ?? hubDefaults.cleanupInterval,
            fallbackPoll: try hub.duration("fallback_poll") ?? hubDefaults.fallbackPoll
        )

        let lag = try top.subsection("lag", keys: ["heartbeat_timeout", "warn_events", "warn_seconds", "window"])
        let lagDefaults = GwopsConfig.Lag()
        let lagConfig = GwopsConfig.Lag(
            heartbeatTimeout: try lag.duration("heartbeat_timeout") ?? lagDefaults.heartbeatTimeout,
            warnEvents: try lag.int("warn_events", in: 1...Int.max) ?? lagDefaults.warnEvents,
            warnSeconds: try lag.duration("warn_seconds"),
            window: try lag.duration("window") ?? lagDefaults.window
        )

        let console = try top.subsection("console", keys: ["theme", "refresh", "readonly"])
        let consoleDefaults = GwopsConfig.Console()
        let consoleConfig = GwopsConfig.Console(
            theme: try console.identifier("theme") ?? consoleDefaults.theme,
            refresh: try console.duration("refresh") ?? consoleDefaults.refresh,
            readonly: try console.bool("readonly") ?? consoleDefaults.readonly
        )

        let control = try top.subsection("control", keys: ["socket", "enabled", "max_connections_per_user"])
        let access = try top.subsection("access", keys: ["viewers", "operators"])
        let accessDefaults = GwopsConfig.Access()
        var config = GwopsConfig(
            gateway: gateway, platform: platform, store: store,
            controller: GwopsConfig.Controller(sync: syncConfig),
            eventHub: eventHub, lag: lagConfig, console: consoleConfig, sourcePath: file
        )
        config.control = GwopsConfig.Control(
            socket: try control.string("socket"), enabled: try control.bool("enabled") ?? true,
            maxConnectionsPerUser: try control.int("max_connections_per_user", in: GwopsConfig.Control.maxConnectionsPerUserRange)
                ?? GwopsConfig.Control().maxConnectionsPerUser)
        config.access = GwopsConfig.Access(
            viewers: try access.identifiers("viewers") ?? accessDefaults.viewers,
            operators: try access.identifiers("operators") ?? accessDefaults.operators)
        config.metrics = try readMetrics(top.subsection("metrics", keys: ["listen"]))
        return config
    }

    /// `listen = "HOST:PORT"` (`[::1]:9464` for IPv6).
    private static func readMetrics(_ section: ConfigSection) throws -> GwopsConfig.Metrics {
        guard let listen = try section.identifier("listen") else { return GwopsConfig.Metrics() }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (1...65535).contains(port) else {
            throw section.error("listen", "must be HOST:PORT with a port from 1 to 65535, e.g. \"127.0.0.1:9464\" (got \"\(listen)\")")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw section.error("listen", "needs a host before the port, e.g. \"127.0.0.1:\(port)\"") }
        return GwopsConfig.Metrics(host: host, port: port)
    }

    private static func readPlatform(_ section: ConfigSection) throws -> GwopsConfig.Platform {
        var url = try section.required("url", section.string("url"))
        if let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        {
            while url.hasSuffix("/") { url.removeLast() }
        } else {
            throw section.error("url", "must be an http:// or https:// URL (got \"\(url)\")")
        }
        let apiKeyFile = try section.string("api_key_file")
        let apiKeyEnv = try section.identifier("api_key_env")
        if apiKeyFile != nil, apiKeyEnv != nil {
            throw section.error("api_key_env", "set either api_key_file or api_key_env, not both")
        }
        let defaults = GwopsConfig.Platform(url: url)
        return GwopsConfig.Platform(
            url: url,
            apiKeyFile: apiKeyFile,
            apiKeyEnv: apiKeyEnv,
            timeout: try section.duration("timeout") ?? defaults.timeout,
            tlsVerify: try section.bool("tls_verify") ?? defaults.tlsVerify
        )
    }

    private static func readStore(_ section: ConfigSection) throws -> GwopsConfig.Store {
        let backend = try section.choice("backend", of: GwopsConfig.StoreBackend.self) ?? .sqlite
        var path = try section.string("path")
        let url = try section.string("url")
        let tls = try section.choice("tls", of: PostgresTLSMode.self)
        let caFile = try section.string("ca_file")
        switch backend {
        case .sqlite:
            path = path ?? GwopsConfig.Store.defaultSQLitePath
        case .postgres:
            guard let url else {
                throw section.error("url", "is required when backend = \"postgres\"")
            }
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw section.error("url", "must be a postgres:// or postgresql:// URL")
            }
            // The URL and the TLS settings are checked now, so a typo is a configuration error
            // rather than a failure to connect.
            do {
                _ = try PostgresEndpoint.parse(url: url, tls: tls, caFile: caFile)
            } catch StorageError.open(_, let reason) {
                let urlAlone = (try? PostgresEndpoint.parse(url: url)) != nil
                throw section.error(urlAlone ? (tls != nil ? "tls" : "ca_file") : "url", reason)
            }
        }
        return GwopsConfig.Store(backend: backend, path: path, url: url, tls: tls, caFile: caFile)
    }
}
