import Foundation
internal import GRDB
internal import GRDBSQLite

/// The SQLite backend (GRDB, WAL). Safe to share across tasks and processes: every write is an
/// IMMEDIATE transaction, so writers from other processes queue on SQLite's lock.
///
/// Opened `readonly` (a read-only session), every connection is SQLITE_OPEN_READONLY, nothing is
/// created or migrated, and every write is refused with `StorageError.readOnly` before SQLite
/// sees it. A reader that may not create files next to the store (a viewer account) can read a
/// WAL database only while its `-shm` file exists, so writers keep `-wal` and `-shm` when they
/// close (SQLITE_FCNTL_PERSIST_WAL; the WAL is truncated to zero bytes then).
public final class SQLiteStore: Sendable {
    public let gatewayId: String
    public let path: String
    /// Opened read-only: writes are refused (`StorageError.readOnly`) and SQLite could not do them.
    public let readonly: Bool
    let pool: DatabasePool

    public var backendName: String { "sqlite" }
    public var location: String { path }

    /// Closes the pool's connections (the last close of a writer truncates the WAL); the store
    /// is not used after.
    public func shutdown() async {
        // Busy (a statement still running at shutdown): the connections close when the pool goes.
        try? pool.close()
    }

    /// WAL size kept after a checkpoint resets it; the WAL is also truncated to zero at the last close.
    static let walSizeLimit = 64 << 20

    /// Opens (creating if needed) and migrates the store at `path` for `gatewayId`; with
    /// `readonly`, opens an existing store for reading only, never creating or migrating it.
    /// - Throws: `StorageError.open` naming the file and the cause in words (a permission problem
    ///   with the owner and mode of the file in the way), `StorageError.wrongGateway`.
    public init(path: String, gatewayId: String, readonly: Bool = false) throws {
        self.gatewayId = gatewayId
        self.path = path
        self.readonly = readonly
        if readonly, let problem = Self.readOnlyOpenProblem(path) {
            throw StorageError.open(location: path, reason: problem)
        }
        var config = Configuration()
        config.busyMode = .callback(Self.waitForLock)
        config.readonly = readonly
        config.prepareDatabase { db in
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                _ = try Int.fetchOne(db, sql: "PRAGMA journal_size_limit = \(Self.walSizeLimit)")
                Self.keepWALFilesOnClose(db)
            }
        }
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !readonly, !dir.isEmpty {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            }
            pool = try DatabasePool(path: path, configuration: config)
            if !readonly { try Self.migrate(pool) }
            // Only a new store takes the write lock to be claimed; every later open just reads.
            let claimed = try pool.read { db in
                try InlineExecutor.run(SQLiteSession(db: db)) { s in
                    if readonly { try await Schema.requireCurrent(s, location: path) }
                    return try await Schema.claim(s, gatewayId: gatewayId, location: path, readonly: true)
                }
            }
            if !claimed, !readonly {
                try pool.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        _ = try InlineExecutor.run(SQLiteSession(db: db)) { s in
                            try await Schema.claim(s, gatewayId: gatewayId, location: path, readonly: false)
                        }
                        return .commit
                    }
                }
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError.open(location: path, reason: Self.describe(error, path: path, readonly: readonly, opening: true))
        }
    }

    /// Asks SQLite to leave `-wal` and `-shm` in place when this connection is the last to close,
    /// so that a reader who may not create them (read-only session, viewer account, directory it
    /// may not write) can still open the store while no writer runs. Best effort.
    static func keepWALFilesOnClose(_ db: Database) {
        var keep: Int32 = 1
        _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &keep)
    }

    /// Why a read-only open cannot succeed, before SQLite is asked: no file (a read-only session
    /// never creates one) or a file this user may not read.
    static func readOnlyOpenProblem(_ path: String) -> String? {
        if access(path, F_OK) != 0, errno == ENOENT {
            return "there is no store file there, and a read-only session never creates one: start `gwops controller` "
                + "(or run `gwops sync`) as the gateway's service account first, or set [store] path"
        }
        return FileAccess.readProblem(path, noun: "store file").map { "\($0): \(Self.readerHint(path))" }
    }

    /// Brings the store to this binary's schema in one IMMEDIATE transaction (see `Schema.migrate`).
    static func migrate(_ pool: DatabasePool) throws {
        if try pool.read({ db in try InlineExecutor.run(SQLiteSession(db: db)) { try await Schema.missing($0) } }).isEmpty { return }
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try InlineExecutor.run(SQLiteSession(db: db)) { try await Schema.migrate($0) }
                return .commit
            }
        }
    }

    /// What a reader who may not read the store can do.
    static func readerHint(_ path: String) -> String {
        let owner = FileOwnership(of: path)?.owner
        return "run as \(owner ?? "the store's owner")\(owner == nil ? "" : ", the store's owner,") or ask for read access "
            + "to the store file and its -wal and -shm files"
    }

    /// The cause of a failed open (`opening`) or query in words, naming the file in the way:
    /// never a raw SQLite message for a permission problem or a read-only store, never SQL text.
    static func describe(_ error: Error, path: String, readonly: Bool, opening: Bool = false) -> String {
        guard let e = error as? DatabaseError else { return String(describing: error) }
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        switch e.extendedResultCode {
        case .SQLITE_READONLY_DIRECTORY:
            // WAL readers need PATH-shm; one that may not create it can only use an existing one.
            let why = FileAccess.writeProblem(directory: directory) ?? "the directory \(directory) is not writable"
            return "\(path)-shm does not exist and \(why), so SQLite cannot read this WAL store: start `gwops controller` "
                + "(or run `gwops sync`) once as the store's owner (\(FileOwnership(of: path)?.owner ?? "unknown")); "
                + "from then on the -wal and -shm files are kept for readers"
        case .SQLITE_READONLY_CANTINIT:
            let shm = FileOwnership(of: path + "-shm").map { " (\($0.summary); running as \(FileAccess.currentUser))" } ?? ""
            return "\(path)-shm\(shm) is not usable by a reader who may not write it while no writer has the store open: "
                + "start `gwops controller` as the store's owner, or run as the store's owner"
        case .SQLITE_READONLY where !opening:
            let facts = FileOwnership(of: path).map { "\($0.summary); " } ?? ""
            return "the store file is read-only for this user (\(facts)running as \(FileAccess.currentUser))"
        case .SQLITE_READONLY:
            let facts = FileOwnership(of: path).map { " (\($0.summary); running as \(FileAccess.currentUser))" } ?? ""
            if readonly { return "SQLite refused to read the store read-only\(facts): \(e.message ?? "read-only")" }
            return "\(path) is read-only for this user\(facts): watch it with `--readonly` or GWOPS_READONLY=1, "
                + "or run as the store's owner to change it"
        case .SQLITE_CANTOPEN:
            if FileAccess.unsearchableDirectory(above: path) != nil, let problem = FileAccess.readProblem(path, noun: "store file") {
                return "\(problem): \(Self.readerHint(path))"
            }
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                if let problem = FileAccess.readProblem(file) { return "\(problem): \(Self.readerHint(path))" }
            }
            if !readonly, let problem = FileAccess.writeProblem(directory: directory) { return problem }
            return "SQLite cannot open the file (\(e.message ?? "error 14"))"
        case .SQLITE_NOTADB:
            return "\(path) is not a SQLite database"
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "the database stayed locked by another process"
        case .SQLITE_FULL:
            return "the disk is full"
        case .SQLITE_CORRUPT:
            return "the database file is damaged (\(e.message ?? "malformed"))"
        case .SQLITE_IOERR:
            return "I/O error on the database file (SQLite code \(e.extendedResultCode.rawValue))"
        default:
            // Neither the SQL text nor GRDB's decoration: SQLite's own message.
            return "SQLite error \(e.resultCode.rawValue): \(e.message ?? "unknown")"
        }
    }

    /// `error` of `operation` as a `StorageError` naming this store, in words.
    func storageError(_ operation: String, _ error: Error) -> StorageError {
        .query(location: path, operation: operation, reason: Self.describe(error, path: path, readonly: readonly))
    }

    /// Runs `PRAGMA integrity_check`; returns the problems found (empty when sound).
    public func integrityCheck() throws -> [String] {
        let rows = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return rows == ["ok"] ? [] : rows
    }
}

extension SQLiteStore: GatewayStore {
    public func changeSignals(fallbackPoll: Duration) -> AsyncStream<Void> {
        DataVersionWatcher.signals(path: path, fallbackPoll: fallbackPoll)
    }
}

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
