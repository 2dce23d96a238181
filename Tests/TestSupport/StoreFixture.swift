import Core
import Foundation
import Logging
import PostgresNIO

/// The storage backends the conformance tests run on. PostgreSQL runs on a throwaway cluster the
/// tests start themselves; when PostgreSQL is not installed those tests fail (they never skip).
public enum Backend: String, Sendable, CaseIterable {
    case sqlite
    case postgres
}

/// A throwaway store for one test.
public struct StoreFixture: Sendable {
    public let store: any GatewayStore
    public let directory: TemporaryDirectory
    public let backend: Backend
    /// For PostgreSQL: the database URL.
    public let url: String?

    public static let gatewayId = "gw-test"

    public static func make(_ backend: Backend = .sqlite, gatewayId: String = gatewayId) async throws -> StoreFixture {
        let directory = TemporaryDirectory(prefix: "gwops-store")
        switch backend {
        case .sqlite:
            let store = try SQLiteStore(path: directory.file("gateway.db"), gatewayId: gatewayId)
            return StoreFixture(store: store, directory: directory, backend: backend, url: nil)
        case .postgres:
            let server = try await OffPool.run { try PostgresServer.start() }
            let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            try await Self.createDatabase(name, port: server.port)
            let url = server.url(database: name)
            let store = try await PostgresStore.connect(url: url, gatewayId: gatewayId, password: nil)
            return StoreFixture(store: store, directory: directory, backend: backend, url: url)
        }
    }

    /// Another store on the same database (another process, as far as the database can tell).
    public func openAnother() async throws -> any GatewayStore {
        switch backend {
        case .sqlite: try SQLiteStore(path: sqlitePath, gatewayId: StoreFixture.gatewayId)
        case .postgres: try await PostgresStore.connect(url: url!, gatewayId: StoreFixture.gatewayId, password: nil)
        }
    }

    /// The same database opened read-only, as a read-only session opens it.
    public func openReadOnly() async throws -> any GatewayStore {
        switch backend {
        case .sqlite: try SQLiteStore(path: sqlitePath, gatewayId: StoreFixture.gatewayId, readonly: true)
        case .postgres: try await PostgresStore.connect(url: url!, gatewayId: StoreFixture.gatewayId, password: nil, readonly: true)
        }
    }

    public var sqlitePath: String { directory.file("gateway.db") }

    /// Runs `sql` on the fixture's database behind the store's back (the `sqlite3` shell, or a
    /// PostgreSQL connection as `postgres`); returns the first column of each row as text.
    public func execute(_ sql: String) async throws -> [String?] {
        switch backend {
        case .sqlite:
            let out = directory.file("sqlite3.out"), err = directory.file("sqlite3.err")
            let status = try ChildProcess.run(["/usr/bin/sqlite3", sqlitePath, sql], environment: [:], stdout: out, stderr: err)
            guard status == 0 else {
                throw HarnessError.process("sqlite3 \(sql): \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "exit \(status)")")
            }
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { String($0) }
        case .postgres:
            let parts = URLComponents(string: url!)!
            return try await Self.query(sql, database: String(parts.path.dropFirst()), port: parts.port!)
        }
    }

    /// Runs `sql` as `postgres` on `database` of the cluster on `port`; returns the first column
    /// of each row as text (NULL as nil).
    public static func query(_ sql: String, database: String, port: Int) async throws -> [String?] {
        let config = PostgresConnection.Configuration(
            host: "127.0.0.1", port: port, username: "postgres", password: nil, database: database, tls: .disable)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = try await PostgresConnection.connect(configuration: config, id: 2, logger: logger)
        defer { Task { try? await connection.close() } }
        var values: [String?] = []
        for try await (value) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String?.self) {
            values.append(value)
        }
        return values
    }

    public func remove() {
        (store as? PostgresStore)?.close()
        directory.remove()
    }

    /// Waits until no other session is connected to `database`. After a client is killed its
    /// server session can still finish, and commit, what the client had sent: a check that
    /// reads the store before then races that commit.
    public static func waitForOtherSessionsToEnd(database: String, port: Int, timeout: Duration = .seconds(30)) async throws {
        let (connection, logger) = try await adminConnection(port: port)
        defer { Task { try? await connection.close() } }
        let deadline = ContinuousClock.now + timeout
        while true {
            let rows = try await connection.query(
                "SELECT count(*)::int8 FROM pg_stat_activity WHERE datname = \(database) AND pid <> pg_backend_pid()", logger: logger)
            var count: Int64 = 0
            for try await (n) in rows.decode(Int64.self) { count = n }
            if count == 0 { return }
            guard ContinuousClock.now < deadline else { throw HarnessError.process("\(count) sessions still on \(database) after \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A connection as `postgres` to the `postgres` database of the cluster on `port`.
    static func adminConnection(port: Int) async throws -> (PostgresConnection, Logger) {
        let config = PostgresConnection.Configuration(
            host: "127.0.0.1", port: port, username: "postgres", password: nil, database: "postgres", tls: .disable)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        return (try await PostgresConnection.connect(configuration: config, id: 1, logger: logger), logger)
    }

    public static func createDatabase(_ name: String, port: Int) async throws {
        let (connection, logger) = try await adminConnection(port: port)
        defer { Task { try? await connection.close() } }
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
    }
}

/// Builders for artifacts in tests.
public enum Fixtures {
    public static func artifact(
        _ uuid: String, kind: ArtifactKind = .restApi, state: DesiredState = .deployed, deploymentId: String? = nil,
        deployedAt: Timestamp? = Timestamp(milliseconds: 1_700_000_000_000), handle: String? = nil
    ) -> Artifact {
        let handle = handle ?? "h-\(uuid)"
        let content = "kind: \(kind.rawValue)\nmetadata:\n  name: \(handle)\nspec:\n  displayName: \(handle)\n  version: v1\n"
        return Artifact(
            uuid: uuid, handle: handle, displayName: handle, version: "v1", kind: kind, desiredState: state,
            deploymentId: deploymentId ?? "dep-\(uuid)", deployedAt: deployedAt, content: content)
    }

    public static func remote(
        _ artifactId: String, kind: ArtifactKind = .restApi, state: RemoteState = .deployed, deploymentId: String? = nil,
        deployedAt: Timestamp = Timestamp(milliseconds: 1_700_000_000_000)
    ) -> RemoteDeployment {
        let dep = deploymentId ?? "dep-\(artifactId)"
        return RemoteDeployment(
            artifactId: artifactId, deploymentId: dep, kind: kind, state: state, deployedAt: deployedAt,
            etag: DeploymentEtag.make(deploymentId: dep, deployedAt: deployedAt))
    }

    public static func summary(
        _ uuid: String, kind: ArtifactKind = .restApi, state: DesiredState = .deployed, deploymentId: String? = nil,
        deployedAt: Timestamp? = Timestamp(milliseconds: 1_700_000_000_000), origin: Origin = .controlPlane
    ) -> ArtifactSummary {
        ArtifactSummary(
            uuid: uuid, handle: "h-\(uuid)", kind: kind, desiredState: state, deploymentId: deploymentId ?? "dep-\(uuid)",
            deployedAt: deployedAt, origin: origin)
    }
}
