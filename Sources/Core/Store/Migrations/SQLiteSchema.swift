internal import GRDB

/// Versioned SQLite migrations. Never edit a shipped migration: add a new one.
///
/// Applied ones are recorded in `grdb_migrations` (the table GRDB's migrator keeps, so stores
/// made by earlier builds read the same). They run in one `BEGIN IMMEDIATE` transaction that
/// reads what is applied only once it holds the write lock: two processes opening a new store at
/// once (two replicas started together) must not both run `001_core`. GRDB's `DatabaseMigrator`
/// reads the applied list before it locks, and the second process then failed with "duplicate
/// column name".
enum SQLiteSchema {
    static let steps: [(identifier: String, sql: String)] = [
        ("001_core", v001),
        ("002_credentials", v002),
        ("003_audit_peer", v003),
    ]

    /// The identifiers of this binary's migrations that `db` has not applied.
    static func missing(_ db: Database) throws -> [String] {
        guard try db.tableExists("grdb_migrations") else { return steps.map(\.identifier) }
        let applied = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
        return steps.map(\.identifier).filter { !applied.contains($0) }
    }

    /// Brings the store to this binary's schema, one process at a time.
    static func migrate(_ pool: DatabasePool) throws {
        if try pool.read({ try missing($0) }).isEmpty { return }
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                let missing = Set(try missing(db))
                for step in steps where missing.contains(step.identifier) {
                    try db.execute(sql: step.sql)
                    try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES (?)", arguments: [step.identifier])
                }
                return .commit
            }
        }
    }

    static let v001 = """
        CREATE TABLE artifacts (
            uuid TEXT PRIMARY KEY,
            handle TEXT NOT NULL,
            display_name TEXT NOT NULL,
            version TEXT NOT NULL,
            kind TEXT NOT NULL,
            desired_state TEXT NOT NULL,
            deployment_id TEXT,
            deployed_at INTEGER,
            origin TEXT NOT NULL,
            content TEXT NOT NULL,
            content_sha256 TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX artifacts_origin ON artifacts(origin);
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            artifact_uuid TEXT NOT NULL,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX api_keys_artifact ON api_keys(artifact_uuid);
        CREATE TABLE subscriptions (
            id TEXT PRIMARY KEY,
            artifact_uuid TEXT NOT NULL,
            application_id TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX subscriptions_artifact ON subscriptions(artifact_uuid);
        CREATE TABLE gateway_states (
            gateway_id TEXT PRIMARY KEY,
            head_seq INTEGER NOT NULL,
            version_id TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE events (
            gateway_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            event_id TEXT NOT NULL,
            entity_type TEXT NOT NULL,
            action TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            event_data TEXT NOT NULL,
            originated_at INTEGER NOT NULL,
            processed_at INTEGER NOT NULL,
            PRIMARY KEY (gateway_id, seq),
            UNIQUE (gateway_id, event_id)
        );
        CREATE INDEX events_processed ON events(gateway_id, processed_at);
        CREATE TABLE replicas (
            replica_id TEXT PRIMARY KEY,
            gateway_id TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            heartbeat_at INTEGER NOT NULL,
            applied_seq INTEGER NOT NULL,
            applied_at INTEGER,
            status TEXT NOT NULL,
            resyncs INTEGER NOT NULL
        );
        CREATE TABLE lag_samples (
            replica_id TEXT NOT NULL,
            sampled_at INTEGER NOT NULL,
            head_seq INTEGER NOT NULL,
            applied_seq INTEGER NOT NULL,
            lag_seconds REAL NOT NULL,
            PRIMARY KEY (replica_id, sampled_at)
        );
        CREATE INDEX lag_samples_time ON lag_samples(sampled_at);
        CREATE TABLE sync_lease (
            gateway_id TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            run_id INTEGER,
            expires_at INTEGER NOT NULL
        );
        CREATE TABLE sync_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            gateway_id TEXT NOT NULL,
            trigger TEXT NOT NULL,
            requested_by TEXT NOT NULL,
            phase TEXT NOT NULL,
            outcome TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            finished_at INTEGER,
            counters TEXT NOT NULL,
            errors TEXT NOT NULL
        );
        CREATE TABLE orphan_reviews (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            artifact_uuid TEXT NOT NULL,
            kind TEXT NOT NULL,
            handle TEXT NOT NULL,
            deployment_id TEXT,
            deployed_at INTEGER,
            verdict TEXT NOT NULL,
            status TEXT NOT NULL,
            api_keys INTEGER NOT NULL,
            subscriptions INTEGER NOT NULL,
            detected_run INTEGER,
            detected_at INTEGER NOT NULL,
            reason TEXT,
            decided_by TEXT,
            decided_from TEXT,
            decided_at INTEGER,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX orphan_reviews_artifact ON orphan_reviews(artifact_uuid, id);
        CREATE INDEX orphan_reviews_status ON orphan_reviews(status);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            client_address TEXT,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            outcome TEXT NOT NULL,
            detail TEXT
        );
        """

    /// What a gateway keeps of API keys and subscriptions (WIRE.md): keys are named per artifact.
    static let v002 = """
        ALTER TABLE api_keys ADD COLUMN masked_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE api_keys ADD COLUMN key_hashes TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE api_keys ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
        ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
        ALTER TABLE api_keys ADD COLUMN updated_at INTEGER;
        DELETE FROM api_keys WHERE rowid NOT IN (SELECT MIN(rowid) FROM api_keys GROUP BY artifact_uuid, name);
        CREATE UNIQUE INDEX api_keys_name ON api_keys(artifact_uuid, name);
        ALTER TABLE subscriptions ADD COLUMN plan_id TEXT;
        ALTER TABLE subscriptions ADD COLUMN status TEXT NOT NULL DEFAULT 'ACTIVE';
        """

    /// Who the kernel says acted through the control socket (uid, pid), beside the claimed address.
    static let v003 = "ALTER TABLE audit_log ADD COLUMN peer TEXT;"
}
