import Foundation
import PostgresNIO
import Synchronization
import Testing
import TestSupport
@testable import Core

/// A query must never wait forever on a connection the server closed (PostgresNIO 1.33.2 does):
/// the store learns of each connection's close and fails its queries.
struct ConnectionCloseTests {
    @Test func aConnectionTheServerEndsIsNoticedAndItsQueriesFailAtOnce() async throws {
        let f = try await StoreFixture.make(.postgres)
        defer { f.remove() }
        let store = try #require(f.store as? PostgresStore)
        let told = Mutex(0)
        _ = try? await store.client.withConnection { conn in
            let rows = try await conn.checkedQuery("SELECT pg_backend_pid()", logger: store.logger).collect()
            let pid = try #require(rows.first).decode(Int32.self)
            _ = ConnectionCloseWatch.shared.onClose(of: conn) { told.withLock { $0 += 1 } }
            let forgotten = ConnectionCloseWatch.shared.onClose(of: conn) { told.withLock { $0 += 100 } }
            ConnectionCloseWatch.shared.forget(forgotten, of: conn)

            // When the server ends this connection's session (as a restart or failover does)
            try await store.reading("terminate") { other in
                try await other.checkedQuery("SELECT pg_terminate_backend(\(pid))", logger: store.logger)
            }

            // Then the close is noticed by the waiter still registered, and only by it
            try await waitUntil(seconds: 10) { told.withLock { $0 } > 0 }
            #expect(told.withLock { $0 } == 1)
            // And a query on it fails at once with a storage error naming the cause
            let started = ContinuousClock.now
            await #expect(throws: StorageError.self) { try await conn.checkedQuery("SELECT 1", logger: store.logger) }
            #expect(ContinuousClock.now - started < .seconds(2))
            // And a waiter added after the close runs too
            let late = Mutex(false)
            _ = ConnectionCloseWatch.shared.onClose(of: conn) { late.withLock { $0 = true } }
            try await waitUntil(seconds: 2) { late.withLock { $0 } }
        }
        // And the store goes on with a new connection
        #expect(try await store.position().headSeq == 0)
    }
}
