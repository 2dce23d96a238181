import Foundation
import Testing
import TestSupport
@testable import Core

/// A store opened read-only (what a read-only session opens): it reads, it refuses every write in
/// words naming the store, and it never creates, migrates or inserts anything. Runs on every
/// backend; for PostgreSQL the refusal is the server's (`default_transaction_read_only`).
struct ReadOnlyStoreTests {
    @Test(arguments: Backend.allCases)
    func readsButRefusesEveryWriteAndChangesNothing(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a"), Fixtures.artifact("b")])
        _ = try await f.store.registerReplica(id: "r1", host: "h", pid: 1)
        let ro = try await f.openReadOnly()
        defer { (ro as? PostgresStore)?.close() }

        // It reads what the writer wrote
        #expect(try await ro.artifactCounts().total == 2)
        #expect(try await ro.position().headSeq == 2)
        #expect(try await ro.replicas().map(\.replicaId) == ["r1"])

        // Every kind of write is refused as a read-only refusal naming the store
        let writes: [(String, @Sendable () async throws -> Void)] = [
            ("upsert", { _ = try await ro.upsertArtifacts([Fixtures.artifact("c")]) }),
            ("publish", { _ = try await ro.publish([NewEvent(
                eventId: "e", entityType: "api", action: .delete, entityId: "a", eventData: "{}", originatedAt: Timestamp(milliseconds: 1))]) }),
            // A single statement outside a transaction on PostgreSQL: the server's refusal
            ("heartbeat", { try await ro.heartbeat(id: "r1", appliedSeq: 2, appliedAt: nil, state: .running, resyncs: 0) }),
            ("register", { _ = try await ro.registerReplica(id: "r2", host: "h", pid: 2) }),
            ("audit", { try await ro.appendAudit(actor: Principal(user: "eve", clientAddress: nil), action: "x", target: "y", outcome: "z", detail: nil) }),
            ("begin sync", {
                _ = try await ro.beginSyncRun(
                    trigger: .console, requestedBy: "eve", holder: SyncLeaseHolder(token: "t", host: "h", pid: 1), ttl: .seconds(60))
            }),
            ("prune", { _ = try await ro.pruneEvents(processedBefore: Timestamp(milliseconds: 4_000_000_000_000)) }),
        ]
        for (name, write) in writes {
            do {
                try await write()
                Issue.record("\(name) was not refused")
            } catch let error as StorageError {
                guard case .readOnly(let location, _) = error else {
                    Issue.record("\(name): \(error) is not a read-only refusal")
                    continue
                }
                #expect(location == ro.location)
                #expect(error.description.contains(ro.location) && error.description.contains("nothing was changed"))
            }
        }

        // And nothing changed
        #expect(try await f.store.artifactCounts().total == 2)
        #expect(try await f.store.position().headSeq == 2)
        #expect(try await f.store.replicas().map(\.appliedSeq) == [0])
        #expect(try await f.store.auditEntries(limit: 10).isEmpty)
        #expect(try await f.store.syncRuns(limit: 10).isEmpty)
    }

    @Test func postgresSessionsOfAReadOnlyStoreAreReadOnlyOnTheServer() async throws {
        let f = try await StoreFixture.make(.postgres)
        defer { f.remove() }
        let ro = try #require(try await f.openReadOnly() as? PostgresStore)
        defer { ro.close() }
        // Even SQL that bypasses the store's own methods cannot write
        let setting = try await ro.reading("probe") { conn in
            var value = ""
            for try await (v) in try await conn.query("SHOW default_transaction_read_only", logger: ro.logger).decode(String.self) { value = v }
            return value
        }
        #expect(setting == "on")
        await #expect(throws: StorageError.readOnly(location: ro.location, operation: "probe write")) {
            try await ro.transaction("probe write") { conn in
                _ = try await conn.query("DELETE FROM artifacts", logger: ro.logger)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func readOnlyOpenNeverCreatesAStore(backend: Backend) async throws {
        switch backend {
        case .sqlite:
            let dir = TemporaryDirectory(prefix: "gwops-ro")
            defer { dir.remove() }
            let path = dir.file("nothing-here.db")
            let error = #expect(throws: StorageError.self) { try SQLiteStore(path: path, gatewayId: "g", readonly: true) }
            #expect(error?.description.contains(path) == true)
            #expect(error?.description.contains("never creates") == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: path))
        case .postgres:
            let server = try await OffPool.run { try PostgresServer.start() }
            let name = "ro_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            try await StoreFixture.createDatabase(name, port: server.port)
            let url = server.url(database: name)
            let error = await #expect(throws: StorageError.self) {
                try await PostgresStore.connect(url: url, gatewayId: "g", password: nil, readonly: true)
            }
            #expect(error?.description.contains("127.0.0.1:\(server.port)/\(name)") == true)
            #expect(error?.description.contains("no gwops tables") == true, "\(String(describing: error))")
            // Nothing was created
            let tables = try await StoreFixture.query(
                "SELECT count(*)::text FROM information_schema.tables WHERE table_schema = 'public'", database: name, port: server.port)
            #expect(tables == ["0"])
        }
    }

    @Test(arguments: Backend.allCases)
    func readOnlyOpenOfAnOlderSchemaSaysHowToMigrate(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        // A store last migrated by an older gwops: the newest migration is not recorded
        switch backend {
        case .sqlite: _ = try await f.execute("DELETE FROM grdb_migrations WHERE identifier = '002_credentials'")
        case .postgres: _ = try await f.execute("DELETE FROM schema_migrations WHERE id = '002_credentials' RETURNING id")
        }
        let error = await #expect(throws: StorageError.self) { _ = try await f.openReadOnly() }
        let text = error?.description ?? ""
        #expect(text.contains(f.store.location), "\(text)")
        #expect(text.contains("older than this gwops") && text.contains("002_credentials") && text.contains("gwops controller"), "\(text)")
        // And it did not migrate: the migration is still not recorded
        let table = backend == .sqlite ? "grdb_migrations WHERE identifier" : "schema_migrations WHERE id"
        #expect(try await f.execute("SELECT count(*)\(backend == .postgres ? "::text" : "") FROM \(table) = '002_credentials'") == ["0"])
    }

    @Test func queryFailuresNameTheStore() {
        let error = StorageError.query(operation: "list artifacts", reason: "the disk is full").located(at: "/var/lib/gwops/gw.db")
        #expect(error.description == "store /var/lib/gwops/gw.db: list artifacts failed: the disk is full")
        let row = StorageError.corruptRow(table: "events", key: "seq 3", reason: "unknown action x").located(at: "/x.db")
        #expect(row.description == "unreadable row in events (seq 3) of store /x.db: unknown action x")
    }
}
