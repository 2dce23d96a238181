/// The versioned schema, written once for both dialects. Never change what a shipped step does:
/// add a step. `SchemaTests` holds a new store to the schema each step made when it shipped.
///
/// Column types are written as tokens the dialect spells: `{time}` (microseconds in SQLite,
/// `timestamptz`), `{int}` (integer), `{bigint}`, `{real}` and `{id}` (an increasing integer key).
enum Schema {
    struct Step {
        let id: String
        let statements: [String]
    }

    static let steps = [
        Step(id: "001_core", statements: [
            """
            CREATE TABLE artifacts (uuid text PRIMARY KEY, handle text NOT NULL, display_name text NOT NULL, version text NOT NULL,
                kind text NOT NULL, desired_state text NOT NULL, deployment_id text, deployed_at {time}, origin text NOT NULL,
                content text NOT NULL, content_sha256 text NOT NULL, updated_at {time} NOT NULL)
            """,
            "CREATE INDEX artifacts_origin ON artifacts(origin)",
            "CREATE TABLE api_keys (id text PRIMARY KEY, artifact_uuid text NOT NULL, name text NOT NULL, created_at {time} NOT NULL)",
            "CREATE INDEX api_keys_artifact ON api_keys(artifact_uuid)",
            """
            CREATE TABLE subscriptions (id text PRIMARY KEY, artifact_uuid text NOT NULL, application_id text NOT NULL,
                created_at {time} NOT NULL)
            """,
            "CREATE INDEX subscriptions_artifact ON subscriptions(artifact_uuid)",
            "CREATE TABLE gateway_states (gateway_id text PRIMARY KEY, head_seq {bigint} NOT NULL, version_id text NOT NULL, updated_at {time} NOT NULL)",
            """
            CREATE TABLE events (gateway_id text NOT NULL, seq {bigint} NOT NULL, event_id text NOT NULL, entity_type text NOT NULL,
                action text NOT NULL, entity_id text NOT NULL, event_data text NOT NULL, originated_at {time} NOT NULL,
                processed_at {time} NOT NULL, PRIMARY KEY (gateway_id, seq), UNIQUE (gateway_id, event_id))
            """,
            "CREATE INDEX events_processed ON events(gateway_id, processed_at)",
            """
            CREATE TABLE replicas (replica_id text PRIMARY KEY, gateway_id text NOT NULL, host text NOT NULL, pid {int} NOT NULL,
                started_at {time} NOT NULL, heartbeat_at {time} NOT NULL, applied_seq {bigint} NOT NULL, applied_at {time},
                status text NOT NULL, resyncs {int} NOT NULL)
            """,
            """
            CREATE TABLE lag_samples (replica_id text NOT NULL, sampled_at {time} NOT NULL, head_seq {bigint} NOT NULL,
                applied_seq {bigint} NOT NULL, lag_seconds {real} NOT NULL, PRIMARY KEY (replica_id, sampled_at))
            """,
            "CREATE INDEX lag_samples_time ON lag_samples(sampled_at)",
            """
            CREATE TABLE sync_lease (gateway_id text PRIMARY KEY, holder text NOT NULL, host text NOT NULL, pid {int} NOT NULL,
                run_id {bigint}, expires_at {time} NOT NULL)
            """,
            """
            CREATE TABLE sync_runs (id {id}, gateway_id text NOT NULL, trigger text NOT NULL, requested_by text NOT NULL,
                phase text NOT NULL, outcome text NOT NULL, started_at {time} NOT NULL, finished_at {time}, counters text NOT NULL,
                errors text NOT NULL)
            """,
            """
            CREATE TABLE orphan_reviews (id {id}, artifact_uuid text NOT NULL, kind text NOT NULL, handle text NOT NULL,
                deployment_id text, deployed_at {time}, verdict text NOT NULL, status text NOT NULL, api_keys {int} NOT NULL,
                subscriptions {int} NOT NULL, detected_run {bigint}, detected_at {time} NOT NULL, reason text, decided_by text,
                decided_from text, decided_at {time}, updated_at {time} NOT NULL)
            """,
            "CREATE INDEX orphan_reviews_artifact ON orphan_reviews(artifact_uuid, id)",
            "CREATE INDEX orphan_reviews_status ON orphan_reviews(status)",
            """
            CREATE TABLE audit_log (id {id}, at {time} NOT NULL, actor text NOT NULL, client_address text, action text NOT NULL,
                target text NOT NULL, outcome text NOT NULL, detail text)
            """,
        ]),
        // What a gateway keeps of API keys and subscriptions (WIRE.md): keys are named per artifact.
        Step(id: "002_credentials", statements: [
            "ALTER TABLE api_keys ADD COLUMN masked_key text NOT NULL DEFAULT ''",
            "ALTER TABLE api_keys ADD COLUMN key_hashes text NOT NULL DEFAULT '{}'",
            "ALTER TABLE api_keys ADD COLUMN status text NOT NULL DEFAULT 'active'",
            "ALTER TABLE api_keys ADD COLUMN expires_at {time}",
            "ALTER TABLE api_keys ADD COLUMN updated_at {time}",
            // Of keys sharing a name, the first kept ({first key}: SQLite's rowid, PostgreSQL's smallest id).
            "DELETE FROM api_keys WHERE {first key} NOT IN (SELECT MIN({first key}) FROM api_keys GROUP BY artifact_uuid, name)",
            "CREATE UNIQUE INDEX api_keys_name ON api_keys(artifact_uuid, name)",
            "ALTER TABLE subscriptions ADD COLUMN plan_id text",
            "ALTER TABLE subscriptions ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE'",
        ]),
        // Who the kernel says acted through the control socket (uid, pid), beside the claimed address.
        Step(id: "003_audit_peer", statements: ["ALTER TABLE audit_log ADD COLUMN peer text"]),
    ]

    /// `statement` in `dialect`'s words.
    static func spelled(_ statement: String, _ dialect: SQLDialect) -> String {
        let words: [(String, String, String)] = [
            ("{time}", "INTEGER", "timestamptz"), ("{int}", "INTEGER", "integer"), ("{bigint}", "INTEGER", "bigint"),
            ("{real}", "REAL", "double precision"), ("{id}", "INTEGER PRIMARY KEY AUTOINCREMENT", "bigserial PRIMARY KEY"),
            ("{first key}", "rowid", "id"),
        ]
        return words.reduce(statement) { text, word in
            text.replacingOccurrences(of: word.0, with: dialect == .sqlite ? word.1 : word.2)
        }
    }

    /// Where applied steps are recorded: SQLite keeps the table GRDB's migrator kept, so stores
    /// made by earlier builds read the same.
    static func ledger(_ dialect: SQLDialect) -> (table: String, column: String, create: String) {
        switch dialect {
        case .sqlite:
            ("grdb_migrations", "identifier", "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        case .postgres:
            ("schema_migrations", "id", "CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        }
    }

    /// The ids of this binary's steps the store has not applied (all of them on an empty database).
    static func missing(_ s: any StoreSession) async throws -> [String] {
        let (table, column, _) = ledger(s.dialect)
        let catalog: SQL = s.dialect == .sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = \(table)"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = \(table)"
        guard try await s.int64(catalog, table: table) == 1 else { return steps.map(\.id) }
        let applied = Set(try await s.rows("SELECT \(unescaped: column) FROM \(unescaped: table)", table: table) { try $0.text(0) })
        return steps.map(\.id).filter { !applied.contains($0) }
    }

    /// A read-only session never migrates: refuses, in words, a store without the gwops schema or
    /// with one older than this binary. - Throws: `StorageError.open`.
    static func requireCurrent(_ s: any StoreSession, location: String) async throws {
        let missing = try await missing(s)
        guard !missing.isEmpty else { return }
        let fix = "start `gwops controller` (it migrates at start) or run `gwops sync` once as the gateway's service account, then retry"
        let reason = missing.count == steps.count
            ? "it has no gwops tables yet, and a read-only session never creates them: \(fix)"
            : "its schema is older than this gwops (not applied: \(missing.joined(separator: ", "))), and a read-only session never migrates: \(fix)"
        throw StorageError.open(location: location, reason: reason)
    }

    /// Brings the store to this binary's schema inside the caller's write transaction, one process
    /// at a time: what is applied is read under the lock (SQLite's IMMEDIATE transaction, or an
    /// advisory lock on PostgreSQL), so two replicas opening a new store together do not both
    /// run `001_core` (GRDB's own migrator read it before locking).
    static func migrate(_ s: any StoreSession) async throws {
        if s.dialect == .postgres { try await s.execute("SELECT pg_advisory_xact_lock(7346023841)") }
        let (table, column, create) = ledger(s.dialect)
        try await s.execute("\(unescaped: create)")
        let missing = Set(try await missing(s))
        for step in steps where missing.contains(step.id) {
            for statement in step.statements { try await s.execute("\(unescaped: spelled(statement, s.dialect))") }
            try await s.execute("INSERT INTO \(unescaped: table)(\(unescaped: column)) VALUES (\(step.id))")
        }
    }

    /// Checks that the store at `location` belongs to `gatewayId`, and claims a new one for it
    /// (unless `readonly`). Returns whether it was claimed before. - Throws: `StorageError.wrongGateway`.
    @discardableResult
    static func claim(_ s: any StoreSession, gatewayId: String, location: String, readonly: Bool) async throws -> Bool {
        let stored = try await s.first("SELECT gateway_id FROM gateway_states LIMIT 1", table: "gateway_states") { try $0.text(0) }
        if let stored, stored != gatewayId {
            throw StorageError.wrongGateway(location: location, stored: stored, configured: gatewayId)
        }
        if stored == nil, !readonly {
            try await s.execute(
                """
                INSERT INTO gateway_states(gateway_id, head_seq, version_id, updated_at) VALUES (\(gatewayId), 0, '', \(SQL.now))
                ON CONFLICT (gateway_id) DO NOTHING
                """)
        }
        return stored != nil
    }
}
