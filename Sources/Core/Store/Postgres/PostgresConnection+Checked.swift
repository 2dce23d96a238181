import Foundation
import Logging
import Synchronization
internal import PostgresNIO

extension PostgresConnection {
    /// `query`, failing as soon as the connection is closed: PostgresNIO 1.33.2 never answers a
    /// query sent on a closed connection and ignores cancellation (a server restart closes every
    /// pooled connection under its users). The query races the connection's close; if the close
    /// wins, the abandoned query task is left to the closed channel.
    @discardableResult
    func checkedQuery(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        let closed = StorageError.query(operation: "query", reason: "the database connection was closed (server restart or failover?)")
        guard !isClosed else { throw closed }
        return try await withCheckedThrowingContinuation { continuation in
            let once = ResumeOnce(continuation)
            let token = ConnectionCloseWatch.shared.onClose(of: self) { once.resume(with: .failure(closed)) }
            Task {
                let result: Result<PostgresRowSequence, Error>
                do { result = .success(try await self.query(query, logger: logger, file: file, line: line)) } catch { result = .failure(error) }
                ConnectionCloseWatch.shared.forget(token, of: self)
                once.resume(with: result)
            }
        }
    }
}

/// Resumes a continuation with whichever result comes first; later ones are dropped.
final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, Error>?>

    init(_ continuation: CheckedContinuation<T, Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(with result: Result<T, Error>) {
        continuation.withLock { pending in
            pending?.resume(with: result)
            pending = nil
        }
    }
}

/// The queries waiting on each connection, told together when it closes. One close callback per
/// connection, not one per query: a pooled connection lives for days.
final class ConnectionCloseWatch: Sendable {
    static let shared = ConnectionCloseWatch()

    private struct Waiters {
        var next = 0
        var actions: [Int: @Sendable () -> Void] = [:]
    }
    private let table = Mutex<[ObjectIdentifier: Waiters]>([:])

    /// Runs `action` when `connection` closes (soon, on its event loop, if it already has);
    /// returns a token for `forget`.
    func onClose(of connection: PostgresConnection, _ action: @escaping @Sendable () -> Void) -> Int {
        let key = ObjectIdentifier(connection)
        let (token, isFirst) = table.withLock { table in
            let isFirst = table[key] == nil
            var waiters = table[key] ?? Waiters()
            let token = waiters.next
            waiters.next += 1
            waiters.actions[token] = action
            table[key] = waiters
            return (token, isFirst)
        }
        if isFirst {
            connection.closeFuture.whenComplete { _ in
                let actions = self.table.withLock { $0.removeValue(forKey: key)?.actions.values.map { $0 } ?? [] }
                for action in actions { action() }
            }
        }
        return token
    }

    func forget(_ token: Int, of connection: PostgresConnection) {
        _ = table.withLock { $0[ObjectIdentifier(connection)]?.actions.removeValue(forKey: token) }
    }
}
