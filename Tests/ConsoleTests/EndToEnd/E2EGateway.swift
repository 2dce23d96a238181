import Core
import Foundation
import TestSupport

/// Where the end-to-end gateway keeps its store.
enum E2EBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

/// The end-to-end test's gateway on this host: its own id, config, key and store beside the
/// README's, removed afterwards. On PostgreSQL the store is a dedicated cluster whose pg_hba.conf
/// lets the service's database role in with a password (which only the controller's environment
/// holds) and nobody else over the network.
struct E2EGateway {
    static let config = "/etc/gwops/e2e.toml"
    static let key = "/etc/gwops/e2e-key"
    static let store = "/var/lib/gwops/e2e.db"
    static let socket = "/run/gwops/gw-e2e.sock"

    let backend: E2EBackend
    /// The cluster when on PostgreSQL.
    private let postgres: PostgresServer?
    static let database = "gwops_e2e"
    static let databasePassword = "e2e-\(UUID().uuidString.prefix(8))"

    init(_ backend: E2EBackend) async throws {
        self.backend = backend
        postgres = backend == .postgres ? try await Self.launchPostgres() : nil
    }

    /// A cluster that admits `postgres` through its Unix socket as the OS user postgres only
    /// (peer), and the role `gwops` over TCP with a password: anyone else, alice and bob included,
    /// is refused.
    private static func launchPostgres() async throws -> PostgresServer {
        var options = PostgresServer.Options()
        options.hba = ["local all postgres peer", "host all gwops 127.0.0.1/32 scram-sha-256"]
        let settled = options
        let server = try await OffPool.run { try PostgresServer.launch(settled) }
        let log = server.directory + "-setup.log"
        let status = try await OffPool.run {
            try ChildProcess.run(
                ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", PostgresServer.binDirectory + "/psql",
                 "-v", "ON_ERROR_STOP=1", "-h", server.directory, "-p", String(server.port), "-U", "postgres", "-d", "postgres",
                 "-c", "CREATE ROLE gwops LOGIN PASSWORD '\(databasePassword)'", "-c", "CREATE DATABASE \(database) OWNER gwops"],
                environment: ["PATH": "/usr/bin:/bin"], stdout: log, stderr: log)
        }
        guard status == 0 else {
            throw EndToEndFailure("creating the e2e role and database failed: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        return server
    }

    /// The `[store]` section for this backend.
    private var storeSection: String {
        guard let postgres else { return "path = \"\(Self.store)\"" }
        return "backend = \"postgres\"\nurl = \"postgres://gwops@127.0.0.1:\(postgres.port)/\(Self.database)\""
    }

    /// The environment the service account's gwops runs with (the unit's EnvironmentFile).
    var serviceEnvironment: [String: String] {
        var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        if backend == .postgres { environment["PGPASSWORD"] = Self.databasePassword }
        return environment
    }

    /// The gateway's config, with `extra` sections.
    func writeConfig(platformURL: String, extra: String = "") throws {
        try """
            [gateway]
            id = "gw-e2e"
            [platform]
            url = "\(platformURL)"
            api_key_file = "\(Self.key)"
            [store]
            \(storeSection)
            \(extra)
            """.write(toFile: Self.config, atomically: true, encoding: .utf8)
        chmod(Self.config, 0o644)
        try SimulatorHarness.apiKey.write(toFile: Self.key, atomically: true, encoding: .utf8)
        let (uid, gid) = try GwopsBinary.account("gwops")
        chown(Self.key, uid, gid)
        chmod(Self.key, 0o600)
    }

    /// `argv` as the service account, as the systemd unit runs it.
    private func asService(_ argv: [String]) -> [String] {
        ["/usr/bin/setpriv", "--reuid=gwops", "--regid=gwops", "--init-groups", "--"] + argv
    }

    /// `gwops sync --direct` as the service account: the gateway's first sync.
    func syncAsService(in directory: TemporaryDirectory) async throws -> (Int32, String) {
        let log = directory.file("first-sync.log")
        let argv = asService(["/usr/bin/gwops", "sync", "--direct", "--config", Self.config])
        let status = try await OffPool.run { try ChildProcess.run(argv, environment: serviceEnvironment, stdout: log, stderr: log) }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// `gwops controller` as the service account.
    func startController(in directory: TemporaryDirectory) throws -> pid_t {
        try ChildProcess.spawn(
            asService(["/usr/bin/gwops", "controller", "--config", Self.config, "--replica-id", "e2e"]),
            environment: serviceEnvironment, stdout: directory.file("controller.out"), stderr: directory.file("controller.log"))
    }

    func waitForPendingDeletion(in directory: TemporaryDirectory) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let (status, out, _) = try await SystemTests.bash("gwops orphans list --config \(Self.config)", in: directory)
            if status == 0, out.contains("pending"), FileManager.default.fileExists(atPath: Self.socket) { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        let log = (try? String(contentsOfFile: directory.file("controller.log"), encoding: .utf8)) ?? ""
        throw EndToEndFailure("no pending deletion through the controller's socket within 60 s; its log:\n\(log)")
    }

    /// The store as the test (root, with the password) reads it.
    func openStore() async throws -> any GatewayStore {
        guard let postgres else { return try SQLiteStore(path: Self.store, gatewayId: "gw-e2e", readonly: true) }
        return try await PostgresStore.connect(
            url: "postgres://gwops@127.0.0.1:\(postgres.port)/\(Self.database)", gatewayId: "gw-e2e", password: Self.databasePassword, readonly: true)
    }

    func stop(_ controller: pid_t) {
        kill(controller, SIGTERM)
        _ = try? ChildProcess.wait(controller, name: "controller")
    }

    func remove() {
        for path in [Self.config, Self.key, Self.store, Self.store + "-wal", Self.store + "-shm"] { try? FileManager.default.removeItem(atPath: path) }
        // (Stopping a cluster waits for it: off the cooperative pool the test's defer runs on.)
        if let postgres { Thread.detachNewThread { postgres.stop() } }
    }
}
