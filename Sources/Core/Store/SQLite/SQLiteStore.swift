import Foundation
internal import GRDB

/// The SQLite backend (GRDB, WAL). Safe to share across tasks and processes: every write is an
/// IMMEDIATE transaction, so writers from other processes queue on SQLite's lock.
public final class SQLiteStore: Sendable {
    public let gatewayId: String
    public let path: String
    let pool: DatabasePool

    public var backendName: String { "sqlite" }
    public var location: String { path }

    /// SQL for "now" from the database clock, in microseconds.
    static let nowSQL = "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"

    /// Opens (creating if needed) and migrates the store at `path` for `gatewayId`.
    public init(path: String, gatewayId: String, readonly: Bool = false) throws {
        self.gatewayId = gatewayId
        self.path = path
        var config = Configuration()
        config.busyMode = .callback(Self.waitForLock)
        config.readonly = readonly
        config.prepareDatabase { db in
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !readonly, !dir.isEmpty {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            }
            pool = try DatabasePool(path: path, configuration: config)
            if !readonly {
                try SQLiteSchema.migrator().migrate(pool)
            }
        } catch {
            throw StorageError.open(location: path, reason: "\(error)")
        }
        let stored: String?
        do {
            stored = try pool.read { db in
                try String.fetchOne(db, sql: "SELECT gateway_id FROM gateway_states LIMIT 1")
            }
        } catch {
            throw StorageError.open(location: path, reason: "\(error)")
        }
        if let stored, stored != gatewayId {
            throw StorageError.wrongGateway(location: path, stored: stored, configured: gatewayId)
        }
        if stored == nil, !readonly {
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO gateway_states(gateway_id, head_seq, version_id, updated_at)
                        VALUES (?, 0, '', \(Self.nowSQL)) ON CONFLICT(gateway_id) DO NOTHING
                        """,
                    arguments: [gatewayId])
            }
        }
    }

    /// Runs `body` in one IMMEDIATE write transaction.
    func writeTransaction<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as StorageError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StorageError.query(operation: operation, reason: "\(error)")
        }
    }

    /// Runs `body` in one read snapshot.
    func readSnapshot<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as StorageError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StorageError.query(operation: operation, reason: "\(error)")
        }
    }

    /// Runs `PRAGMA integrity_check`; returns the problems found (empty when sound).
    public func integrityCheck() throws -> [String] {
        let rows = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return rows == ["ok"] ? [] : rows
    }
}

extension Timestamp {
    init?(column value: Int64?) {
        guard let value else { return nil }
        self.init(microseconds: value)
    }
}
extension SQLiteStore: GatewayStore {}

extension SQLiteStore {
    /// Busy handler for a locked database: retry every 0.2 ms for the first 20 ms, then every
    /// 2 ms, for up to 30 s. SQLite's own timeout sleeps 1, 2, 5, 10 … 100 ms between tries,
    /// which puts tens of milliseconds on a replica's cursor write whenever a publish holds the
    /// lock.
    static func waitForLock(_ tries: Int) -> Bool {
        if tries < 100 {
            usleep(200)
            return true
        }
        usleep(2000)
        return tries < 100 + 15_000
    }
}
