import Foundation
import Logging
import Synchronization
internal import PostgresNIO

/// The PostgreSQL backend (PostgresNIO), for replicas on several hosts sharing one database.
/// Publishing takes the gateway row's lock (`FOR UPDATE`), so seq order is commit order, and
/// sends `NOTIFY` in the same transaction.
///
/// Connected `readonly` (a read-only session), every session starts with
/// `default_transaction_read_only = on`, so the server refuses any write (reported as
/// `StorageError.readOnly`), and nothing is migrated or inserted at connect.
public final class PostgresStore: Sendable {
    public let gatewayId: String
    public let location: String
    /// Connected read-only: the server refuses every write in these sessions.
    public let readonly: Bool
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger
    let connectionConfig: PostgresConnection.Configuration

    public var backendName: String { "postgres" }

    static let channel = "gwops_events"

    /// The session setting that makes the server refuse writes (SQLSTATE 25006) in every transaction.
    static let readOnlyStartup = [("default_transaction_read_only", "on")]

    /// Connects to `url` (`postgres://user@host:port/db`, with libpq's `sslmode` and
    /// `sslrootcert` as query parameters), migrates, and checks the gateway. `tls` and `caFile`
    /// are `[store] tls` and `ca_file`; see `PostgresEndpoint` for the default TLS mode.
    public static func connect(
        url: String, gatewayId: String, password: String?, tls: PostgresTLSMode? = nil, caFile: String? = nil,
        readonly: Bool = false, logger: Logger = .silent("gwops.postgres")
    ) async throws -> PostgresStore {
        let endpoint = try PostgresEndpoint.parse(url: url, tls: tls, caFile: caFile)
        return try await connect(endpoint: endpoint, gatewayId: gatewayId, password: password, readonly: readonly, logger: logger)
    }

    /// Connects to `endpoint`, migrates, and checks the gateway. With `readonly`, every session
    /// is read-only and nothing is migrated: a schema older than this binary is refused in words.
    public static func connect(
        endpoint: PostgresEndpoint, gatewayId: String, password: String?, readonly: Bool = false,
        logger: Logger = .silent("gwops.postgres")
    ) async throws -> PostgresStore {
        let (host, port, user, database) = (endpoint.host, endpoint.port, endpoint.user, endpoint.database)
        let location = endpoint.location
        let tls = try PostgresTLSSettings(endpoint)
        var config = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls.client)
        config.options.maximumConnections = 20
        var connectionConfig = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls.connection)
        if readonly {
            config.options.additionalStartupParameters = readOnlyStartup
            connectionConfig.options.additionalStartupParameters = readOnlyStartup
        }
        // One connection first: an unreachable or refusing server is reported at once and in words
        // (the pool retries for about a minute, then names an internal circuit breaker).
        do {
            let probe = try await PostgresConnection.connect(configuration: connectionConfig, id: 0, logger: logger)
            try? await probe.close()
        } catch {
            throw StorageError.open(location: location, reason: describeConnectFailure(error, endpoint: endpoint))
        }
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        let runner = Task { await client.run() }
        let store = PostgresStore(
            gatewayId: gatewayId, location: location, readonly: readonly, client: client, runner: runner, logger: logger,
            connectionConfig: connectionConfig)
        do {
            if readonly {
                try await store.read("check schema") { try await Schema.requireCurrent($0, location: location) }
            } else {
                try await store.write("migrate") { try await Schema.migrate($0) }
            }
            _ = try await store.write("check gateway") { s in
                try await Schema.claim(s, gatewayId: gatewayId, location: location, readonly: readonly)
            }
        } catch {
            store.close()
            if let e = error as? StorageError { throw e }
            throw StorageError.open(location: location, reason: describe(error))
        }
        return store
    }

    private init(gatewayId: String, location: String, readonly: Bool, client: PostgresClient, runner: Task<Void, Never>, logger: Logger,
                 connectionConfig: PostgresConnection.Configuration) {
        self.gatewayId = gatewayId
        self.location = location
        self.readonly = readonly
        self.client = client
        self.runner = runner
        self.logger = logger
        self.connectionConfig = connectionConfig
    }

    /// Closes the pool; call once when done.
    public func close() { runner.cancel() }

    /// Closes the pool and waits until its connections are closed.
    public func shutdown() async {
        runner.cancel()
        await runner.value
    }

    /// Runs `body` in one transaction, mapping failures to `StorageError`.
    @discardableResult
    func transaction<T: Sendable>(_ operation: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await StorageError.mapping(at: location, other: { storageError(operation, $0) }) {
            // Not `withTransaction`: after a failure it sends ROLLBACK even on a connection the
            // server closed, and a query on a closed connection never returns (PostgresNIO
            // 1.33.2). The server rolls back a closed connection's transaction by itself.
            return try await client.withConnection { conn in
                try await conn.checkedQuery("BEGIN", logger: logger)
                do {
                    let value = try await body(conn)
                    try await conn.checkedQuery("COMMIT", logger: logger)
                    return value
                } catch {
                    if !conn.isClosed { _ = try? await conn.checkedQuery("ROLLBACK", logger: logger) }
                    throw error
                }
            }
        }
    }

    /// Runs `body` on a pooled connection (no transaction).
    @discardableResult
    func reading<T: Sendable>(_ operation: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await StorageError.mapping(at: location, other: { storageError(operation, $0) }) {
            try await client.withConnection { conn in try await body(conn) }
        }
    }

    /// `error` of `operation` as a `StorageError`: a write the read-only session refused, or the
    /// server's message naming this store.
    func storageError(_ operation: String, _ error: Error) -> StorageError {
        if Self.sqlState(of: error) == Self.readOnlyTransaction {
            return .readOnly(location: location, operation: operation)
        }
        return .query(location: location, operation: operation, reason: Self.describe(error))
    }

    /// SQLSTATE read_only_sql_transaction: a write in a read-only transaction.
    static let readOnlyTransaction = "25006"

    /// The SQLSTATE the server sent with `error`, if any.
    static func sqlState(of error: Error) -> String? { (error as? PSQLError)?.serverInfo?[.sqlState] }

    /// The server's message when there is one (never the query's bound values).
    static func describe(_ error: Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            return "database connection error (\(e.code))"
        }
        return String(describing: error)
    }
}

extension PostgresStore: GatewayStore {
    public func changeSignals(fallbackPoll: Duration) -> AsyncStream<Void> {
        NotificationWatcher.signals(config: connectionConfig, channel: Self.channel, fallbackPoll: fallbackPoll, logger: logger)
    }
}

extension PostgresQuery {
    /// A query from trusted SQL text (migrations), no binds.
    init(unsafeSQL: String) {
        self.init(unsafeSQL: unsafeSQL, binds: PostgresBindings())
    }
}
