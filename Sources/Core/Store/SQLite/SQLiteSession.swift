import Foundation
import Synchronization
internal import GRDB

/// A GRDB connection as a `StoreSession`. GRDB hands out a connection only inside a synchronous
/// closure on its own queue, so the shared (async) statements run there to the end on that
/// thread (`InlineExecutor`): nothing in them suspends, and no statement hops threads. Every
/// statement stays compiled in the connection's cache: the texts are few (`IN` lists come in
/// `statementRuns`, so such a statement has a few texts whatever the batch's size).
struct SQLiteSession: StoreSession {
    let db: Database

    var dialect: SQLDialect { .sqlite }

    func execute(_ sql: SQL) async throws {
        let (text, values) = sql.rendered(for: .sqlite)
        try db.cachedStatement(sql: text).execute(arguments: Self.arguments(values))
    }

    func changes(_ sql: SQL) async throws -> Int {
        try await execute(sql)
        return db.changesCount
    }

    func forEach(_ sql: SQL, table: String, _ row: (StoreRow) throws -> Void) async throws {
        let (text, values) = sql.rendered(for: .sqlite)
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: text), arguments: Self.arguments(values))
        while let r = try cursor.next() {
            try row(StoreRow(values: (0..<r.count).map { Self.value(r[$0] as DatabaseValue) }, table: table))
        }
    }

    func publish(_ events: [NewEvent], gatewayId: String, describesChanges: Bool) async throws -> [Int64?] {
        try await publishPortably(events, gatewayId: gatewayId, describesChanges: describesChanges)
    }

    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null, .time(nil): nil
            case .int(let n), .time(let n?): n
            case .text(let t): t
            case .double(let d): d
            }
        })
    }

    static func value(_ v: DatabaseValue) -> SQLValue {
        switch v.storage {
        case .null: .null
        case .int64(let n): .int(n)
        case .double(let d): .double(d)
        case .string(let s): .text(s)
        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
        }
    }
}

extension SQLiteStore: SQLStore {
    /// `body` in one IMMEDIATE write transaction.
    public func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (any StoreSession) async throws -> T) async throws -> T {
        // Refused here, in words; SQLite would refuse it too (the connections are read-only).
        if readonly { throw StorageError.readOnly(location: path, operation: operation) }
        return try await StorageError.mapping(at: path, other: { storageError(operation, $0) }) {
            try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try InlineExecutor.run(SQLiteSession(db: db), body)
                    return .commit
                }
                return result!
            }
        }
    }

    /// `body` in one read snapshot.
    public func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await StorageError.mapping(at: path, other: { storageError(operation, $0) }) {
            try await pool.read { db in try InlineExecutor.run(SQLiteSession(db: db), body) }
        }
    }

    public func snapshot<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (any StoreSession) async throws -> T) async throws -> T {
        try await read(operation, body)
    }

    public func autocommit(_ operation: String, _ sql: SQL) async throws {
        try await write(operation) { s in try await s.execute(sql) }
    }
}

/// Runs async code to the end on the calling thread: a task whose jobs this thread runs as they
/// come. For SQLite sessions, whose connection may only be used on GRDB's queue, inside GRDB's
/// synchronous closure. The thread waits while the task is suspended (it should never be: the
/// SQLite session does not suspend).
final class InlineExecutor: TaskExecutor {
    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    /// `body(session)`, run on this thread. The session never leaves it.
    static func run<T: Sendable>(_ session: any StoreSession, _ body: @escaping @Sendable (any StoreSession) async throws -> T) throws -> T {
        let executor = InlineExecutor()
        let outcome = Outcome<T>()
        let pinned = Pinned(session)
        Task(executorPreference: executor) {
            let result: Result<T, Error>
            do { result = .success(try await body(pinned.value)) } catch { result = .failure(error) }
            outcome.result.withLock { $0 = result }
            executor.ready.signal()
        }
        while true {
            executor.ready.wait()
            for job in executor.jobs.withLock({ jobs in defer { jobs.removeAll() }; return jobs }) {
                job.runSynchronously(on: executor.asUnownedTaskExecutor())
            }
            if let result = outcome.result.withLock({ $0 }) { return try result.get() }
        }
    }

    private final class Outcome<T: Sendable>: Sendable {
        let result = Mutex<Result<T, Error>?>(nil)
    }

    /// A value that stays on the thread `run` was called on (its task runs only there).
    private struct Pinned: @unchecked Sendable {
        let value: any StoreSession
        init(_ value: any StoreSession) { self.value = value }
    }
}
