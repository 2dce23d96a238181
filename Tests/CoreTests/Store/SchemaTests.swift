import Foundation
import Testing
import TestSupport
@testable import Core

/// The schema written once (`Schema`) makes, on each backend, the tables, columns, types,
/// defaults, keys and indexes that the migrations made when they shipped, so stores made before
/// and after it read the same.
struct SchemaTests {
    @Test func aNewSQLiteStoreHasTheSchemaAsShipped() async throws {
        let f = try await StoreFixture.make(.sqlite)
        defer { f.remove() }
        let shipped = f.directory.file("shipped.db")
        let steps = [SchemaAsShipped.SQLite.v001, SchemaAsShipped.SQLite.v002, SchemaAsShipped.SQLite.v003]
        _ = try Self.sqlite(shipped, steps.joined(separator: "\n"))
        let made = try Self.sqlite(f.sqlitePath, Self.sqliteCatalog)
        #expect(made.count > 80)  // every column of every table, and the indexes
        Self.expectSame(made, try Self.sqlite(shipped, Self.sqliteCatalog))
    }

    @Test func aNewPostgreSQLStoreHasTheSchemaAsShipped() async throws {
        let f = try await StoreFixture.make(.postgres)
        defer { f.remove() }
        let port = URLComponents(string: f.url!)!.port!
        let shipped = "shipped_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try await StoreFixture.createDatabase(shipped, port: port)
        let P = SchemaAsShipped.Postgres.self
        for statement in P.v001 + P.v002 + P.v003 { _ = try await StoreFixture.query(statement, database: shipped, port: port) }
        let made = try await f.execute(Self.postgresCatalog)
        #expect(made.count > 80)
        Self.expectSame(made.map { $0 ?? "" }, try await StoreFixture.query(Self.postgresCatalog, database: shipped, port: port).map { $0 ?? "" })
    }

    /// A store an earlier gwops made at `001_core`, with two keys of one name, is brought to this
    /// schema when opened: of the two keys the first stays (SQLite's first inserted, PostgreSQL's
    /// smallest id, as the steps did when they shipped), and the audit log gains its peer column.
    @Test(arguments: Backend.allCases)
    func aStoreAtTheFirstStepIsMigratedAsTheStepsDidWhenTheyShipped(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        let rows = """
            INSERT INTO api_keys(id, artifact_uuid, name, created_at) VALUES ('k2', 'a', 'n', {t}), ('k1', 'a', 'n', {t}), ('k3', 'a', 'm', {t})
            """
        let store: any GatewayStore
        switch backend {
        case .sqlite:
            let old = f.directory.file("old.db")
            _ = try Self.sqlite(old, SchemaAsShipped.SQLite.v001 + """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('001_core');
                INSERT INTO gateway_states VALUES ('\(StoreFixture.gatewayId)', 0, '', 0);
                \(rows.replacingOccurrences(of: "{t}", with: "0"));
                """)
            store = try SQLiteStore(path: old, gatewayId: StoreFixture.gatewayId)
        case .postgres:
            let port = URLComponents(string: f.url!)!.port!
            let old = "old_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            try await StoreFixture.createDatabase(old, port: port)
            for statement in SchemaAsShipped.Postgres.v001 + [
                "CREATE TABLE schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                "INSERT INTO schema_migrations(id) VALUES ('001_core')",
                "INSERT INTO gateway_states VALUES ('\(StoreFixture.gatewayId)', 0, '', now())",
                rows.replacingOccurrences(of: "{t}", with: "now()"),
            ] { _ = try await StoreFixture.query(statement, database: old, port: port) }
            store = try await PostgresStore.connect(
                url: f.url!.replacingOccurrences(of: f.url!.split(separator: "/").last!, with: old), gatewayId: StoreFixture.gatewayId,
                password: nil)
        }
        let kept = try await store.apiKeys(of: "a").map(\.id).sorted()
        #expect(kept == (backend == .sqlite ? ["k2", "k3"] : ["k1", "k3"]))
        try await store.appendAudit(actor: Principal(user: "u", clientAddress: nil, peer: "uid 1"), action: "a", target: "t", outcome: "o", detail: nil)
        #expect(try await store.auditEntries(limit: 1).first?.actor.peer == "uid 1")
        (store as? PostgresStore)?.close()
    }

    /// Every table, column (type case-folded: SQLite keeps it as written), default, key and index.
    static let sqliteCatalog = """
        SELECT m.name || '|' || p.name || '|' || lower(p.type) || '|' || p."notnull" || '|' || coalesce(p.dflt_value, '') || '|' || p.pk
        FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name <> 'grdb_migrations'
        UNION ALL
        SELECT m.name || '|' || l.name || '|' || l."unique" || '|' || l.origin || '|' || i.seqno || '|' || i.name
        FROM sqlite_master m, pragma_index_list(m.name) l, pragma_index_info(l.name) i
        WHERE m.type = 'table' AND m.name <> 'grdb_migrations'
        UNION ALL
        SELECT 'table|' || name FROM sqlite_master WHERE type = 'table' AND name <> 'grdb_migrations'
        ORDER BY 1
        """

    static let postgresCatalog = """
        SELECT concat_ws('|', table_name, column_name, data_type, is_nullable, coalesce(column_default, ''))
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
        UNION ALL
        SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations'
        ORDER BY 1
        """

    /// The two catalogs are the same; otherwise the lines only one of them has.
    static func expectSame(_ made: [String], _ shipped: [String]) {
        let onlyMade = made.filter { !shipped.contains($0) }, onlyShipped = shipped.filter { !made.contains($0) }
        #expect(onlyMade.isEmpty && onlyShipped.isEmpty && made.count == shipped.count, "only in the new store: \(onlyMade); only as shipped: \(onlyShipped)")
    }

    static func sqlite(_ path: String, _ sql: String) throws -> [String] {
        let out = path + ".out", err = path + ".err"
        let status = try ChildProcess.run(["/usr/bin/sqlite3", path, sql], environment: [:], stdout: out, stderr: err)
        guard status == 0 else { throw HarnessError.process("sqlite3: \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "exit \(status)")") }
        return ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
