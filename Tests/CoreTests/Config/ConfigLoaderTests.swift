import Foundation
import Testing

@testable import Core

struct ConfigLoaderTests {
    // MARK: - Parsing

    @Test func fullValidFileRoundTripsEveryKey() throws {
        let text = """
            [gateway]
            id = "gw-eu-1"

            [platform]
            url = "https://platform.example.com/api/"
            api_key_env = "GWOPS_API_KEY"
            timeout = "45s"
            tls_verify = false

            [store]
            backend = "postgres"
            path = "/srv/gwops/unused.db"
            url = "postgres://gwops@db.internal:5432/gwops"
            tls = "verify-ca"
            ca_file = "/etc/gwops/db-ca.pem"

            [controller.sync]
            batch_size = 200
            fetch_concurrency = 8
            exists_chunk_size = 1000
            orphan_policy = "auto"

            [eventhub]
            retention = "7d"
            cleanup_interval = "5m"
            fallback_poll = "250ms"

            [lag]
            heartbeat_timeout = 20
            warn_events = 5000
            warn_seconds = "2m"
            window = 60.5

            [console]
            theme = "solarized-dark"
            refresh = "500ms"
            readonly = true
            """

        let config = try ConfigLoader.parse(text, file: "/etc/gwops/config.toml")

        let expected = GwopsConfig(
            gateway: .init(id: "gw-eu-1"),
            platform: .init(
                url: "https://platform.example.com/api",
                apiKeyFile: nil,
                apiKeyEnv: "GWOPS_API_KEY",
                timeout: .seconds(45),
                tlsVerify: false
            ),
            store: .init(
                backend: .postgres,
                path: "/srv/gwops/unused.db",
                url: "postgres://gwops@db.internal:5432/gwops",
                tls: .verifyCA,
                caFile: "/etc/gwops/db-ca.pem"
            ),
            controller: .init(
                sync: .init(batchSize: 200, fetchConcurrency: 8, existsChunkSize: 1000, orphanPolicy: .auto)
            ),
            eventHub: .init(
                retention: .seconds(7 * 86_400),
                cleanupInterval: .seconds(300),
                fallbackPoll: .milliseconds(250)
            ),
            lag: .init(
                heartbeatTimeout: .seconds(20),
                warnEvents: 5000,
                warnSeconds: .seconds(120),
                window: .milliseconds(60_500)
            ),
            console: .init(theme: "solarized-dark", refresh: .milliseconds(500), readonly: true),
            sourcePath: "/etc/gwops/config.toml"
        )
        #expect(config == expected)
    }

    @Test func minimalFileGetsDefaults() throws {
        let config = try ConfigLoader.parse(Self.minimal, file: "/x.toml")

        var expected = GwopsConfig.defaults(gatewayId: "gw-1", platformURL: "http://127.0.0.1:9090")
        expected.sourcePath = "/x.toml"
        #expect(config == expected)
        #expect(config.platform.timeout == .seconds(30))
        #expect(config.platform.tlsVerify)
        #expect(config.store.backend == .sqlite)
        #expect(config.store.path == "/var/lib/gwops/gateway.db")
        #expect(config.controller.sync.batchSize == 50)
        #expect(config.controller.sync.fetchConcurrency == 4)
        #expect(config.controller.sync.existsChunkSize == 500)
        #expect(config.controller.sync.orphanPolicy == .review)
        #expect(config.eventHub.retention == .seconds(24 * 3600))
        #expect(config.eventHub.cleanupInterval == .seconds(60))
        #expect(config.eventHub.fallbackPoll == .seconds(1))
        #expect(config.lag.heartbeatTimeout == .seconds(15))
        #expect(config.lag.warnEvents == 1000)
        #expect(config.lag.warnSeconds == nil)
        #expect(config.lag.window == .seconds(30))
        #expect(config.console == GwopsConfig.Console(theme: "default", refresh: .seconds(1), readonly: false))
    }

    @Test func missingGatewayIdNamesTheKey() throws {
        let error = try #require(configError("[platform]\nurl = \"http://p\"\n"))
        #expect(error.key == "gateway.id")
        #expect(error.description == "config /x.toml: gateway.id: is required")
    }

    @Test func wrongTypeNamesTheKey() throws {
        let error = try #require(configError(Self.minimal + "[controller.sync]\nbatch_size = \"fifty\"\n"))
        #expect(error.key == "controller.sync.batch_size")
        #expect(error.reason.contains("integer"))
    }

    @Test func unknownKeyIsRejectedWithItsDottedName() throws {
        let error = try #require(configError(Self.minimal + "[controller.sync]\nbatch_sise = 10\n"))
        #expect(error.key == "controller.sync.batch_sise")
        #expect(error.reason.hasPrefix("unknown key"))
        #expect(error.reason.contains("batch_size"))
    }

    @Test func unknownSectionIsRejected() throws {
        let error = try #require(configError(Self.minimal + "[consol]\ntheme = \"mono\"\n"))
        #expect(error.key == "consol")
        #expect(error.reason.hasPrefix("unknown section"))
    }

    @Test func outOfRangeBatchSizeIsRejected() throws {
        let text = Self.minimal + "[controller.sync]\nbatch_size = 0\n"
        let error = try #require(configError(text, file: "/etc/gwops/config.toml"))
        #expect(
            error.description
                == "config /etc/gwops/config.toml: controller.sync.batch_size: must be between 1 and 1000 (got 0)"
        )
    }

    @Test func theControlSocketsShareOfAnAccountIsReadAndBounded() throws {
        #expect(try ConfigLoader.parse(Self.minimal, file: "/x.toml").control.maxConnectionsPerUser == 32)
        let set = try ConfigLoader.parse(Self.minimal + "[control]\nmax_connections_per_user = 8\n", file: "/x.toml")
        #expect(set.control.maxConnectionsPerUser == 8)
        let error = try #require(configError(Self.minimal + "[control]\nmax_connections_per_user = 0\n", file: "/etc/gwops/config.toml"))
        #expect(error.description == "config /etc/gwops/config.toml: control.max_connections_per_user: must be between 1 and 1024 (got 0)")
    }

    @Test func badDurationStringNamesTheKey() throws {
        let error = try #require(configError(Self.minimal + "[eventhub]\nretention = \"24 hours\"\n"))
        #expect(error.key == "eventhub.retention")
        #expect(error.reason.contains("\"24 hours\""))
    }

    @Test func tomlSyntaxErrorReportsTheLine() throws {
        let error = try #require(configError("[gateway]\nid = \"gw-1\"\nthis is not toml\n"))
        #expect(error.line == 3)
        #expect(error.key == nil)
        #expect(error.description.hasPrefix("config /x.toml: line 3: "))
    }

    @Test func missingFileNamesThePath() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("gwops-missing-\(UUID().uuidString).toml").path

        let error = #expect(throws: ConfigError.self) { try ConfigLoader.load(path: path) }
        #expect(error?.description == "config \(path): file not found")
    }

    @Test func loadReadsAFileFromDisk() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("config.toml").path
        try Self.minimal.write(toFile: path, atomically: true, encoding: .utf8)

        let config = try ConfigLoader.load(path: path)
        #expect(config.gateway.id == "gw-1")
        #expect(config.sourcePath == path)
    }

    // MARK: - Path resolution

    @Test func pathResolutionPrefersExplicitThenEnvironmentThenXDGThenEtc() {
        let env = ["GWOPS_CONFIG": "/env/gwops.toml", "XDG_CONFIG_HOME": "/xdg", "HOME": "/home/op"]
        let everythingExists: (String) -> Bool = { _ in true }
        let nothingExists: (String) -> Bool = { _ in false }

        #expect(
            ConfigLoader.resolvePath(explicit: "/cli.toml", environment: env, fileExists: everythingExists)
                == "/cli.toml"
        )
        #expect(
            ConfigLoader.resolvePath(explicit: nil, environment: env, fileExists: everythingExists)
                == "/env/gwops.toml"
        )

        var noOverride = env
        noOverride["GWOPS_CONFIG"] = nil
        #expect(
            ConfigLoader.resolvePath(explicit: nil, environment: noOverride, fileExists: everythingExists)
                == "/xdg/gwops/config.toml"
        )
        #expect(
            ConfigLoader.resolvePath(explicit: nil, environment: noOverride, fileExists: nothingExists)
                == "/etc/gwops/config.toml"
        )

        let homeOnly = ["HOME": "/home/op"]
        #expect(
            ConfigLoader.resolvePath(explicit: nil, environment: homeOnly, fileExists: everythingExists)
                == "/home/op/.config/gwops/config.toml"
        )
        #expect(
            ConfigLoader.resolvePath(explicit: nil, environment: [:], fileExists: everythingExists)
                == "/etc/gwops/config.toml"
        )
    }

    // MARK: - API key

    @Test func apiKeyIsReadFromTheEnvironment() throws {
        let config = try ConfigLoader.parse(Self.minimal + "api_key_env = \"GW_KEY\"\n", file: "/x.toml")

        #expect(try config.resolveAPIKey(environment: ["GW_KEY": "  s3cret\n"]) == "s3cret")
        let error = #expect(throws: ConfigError.self) { try config.resolveAPIKey(environment: [:]) }
        #expect(error?.key == "platform.api_key_env")
    }

    @Test func apiKeyIsReadFromAnOwnerOnlyFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyPath = try writeKeyFile(in: dir, contents: "file-key\n", mode: 0o600)
        let config = try ConfigLoader.parse(Self.minimal + "api_key_file = \"\(keyPath)\"\n", file: "/x.toml")

        #expect(try config.resolveAPIKey(environment: [:]) == "file-key")
    }

    @Test func groupReadableKeyFileIsRefusedWithChmodAdvice() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyPath = try writeKeyFile(in: dir, contents: "file-key\n", mode: 0o644)
        let config = try ConfigLoader.parse(Self.minimal + "api_key_file = \"\(keyPath)\"\n", file: "/x.toml")

        let error = #expect(throws: ConfigError.self) { try config.resolveAPIKey(environment: [:]) }
        #expect(error?.key == "platform.api_key_file")
        #expect(error?.reason.contains(keyPath) == true)
        #expect(error?.reason.contains("chmod 600") == true)
    }

    @Test func missingKeyConfigurationIsAnError() throws {
        let config = try ConfigLoader.parse(Self.minimal, file: "/x.toml")
        #expect(throws: ConfigError.self) { try config.resolveAPIKey(environment: ["GWOPS_API_KEY": "k"]) }
    }

    // MARK: - Durations

    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)),
        ("30s", .seconds(30)),
        ("5m", .seconds(300)),
        ("24h", .seconds(86_400)),
        ("7d", .seconds(604_800)),
        ("1.5s", .milliseconds(1500)),
        ("10", .seconds(10)),
    ] as [(String, Duration)])
    func durationStringsParse(text: String, expected: Duration) {
        #expect(DurationParser.parse(text) == expected)
    }

    @Test(arguments: ["", "s", "10x", "-5s", "1.2.3s", "5M", ".5s", "99999999999999999999d"])
    func malformedDurationStringsAreRejected(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }

    @Test func plainNumbersInTheFileAreSeconds() throws {
        let text = Self.minimal + "timeout = 10\n[eventhub]\nfallback_poll = 0.25\n"
        let config = try ConfigLoader.parse(text, file: "/x.toml")
        #expect(config.platform.timeout == .seconds(10))
        #expect(config.eventHub.fallbackPoll == .milliseconds(250))
    }

    @Test func zeroDurationIsRejected() throws {
        let error = try #require(configError(Self.minimal + "[console]\nrefresh = 0\n"))
        #expect(error.key == "console.refresh")
    }

    // MARK: - Helpers

    /// A valid file whose `[platform]` table is last, so tests can append platform keys or new sections.
    static let minimal = """
        [gateway]
        id = "gw-1"

        [platform]
        url = "http://127.0.0.1:9090/"

        """

    /// `minimal` with a `[store]` section for PostgreSQL on another host, open for more keys.
    static let postgres = minimal + "[store]\nbackend = \"postgres\"\nurl = \"postgres://gwops@db.internal/gw\"\n"

    func configError(_ text: String, file: String = "/x.toml") -> ConfigError? {
        do {
            _ = try ConfigLoader.parse(text, file: file)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return nil
        }
    }

    private func makeTemporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("gwops-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    private func writeKeyFile(in dir: URL, contents: String, mode: Int) throws -> String {
        let path = dir.appendingPathComponent("api.key").path
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: path)
        return path
    }
}
