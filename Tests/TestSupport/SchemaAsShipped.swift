/// The schema as each migration step made it when it shipped (the text of `SQLiteSchema` and
/// `PostgresSchema` before the schema was written once), for `SchemaTests` and the package
/// upgrade test (a store as an older gwops left it).
public enum SchemaAsShipped {
    public enum SQLite {
        public static let v001 = """
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
        public static let v002 = """
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
        public static let v003 = "ALTER TABLE audit_log ADD COLUMN peer TEXT;"
    }

    public enum Postgres {
        public static let v001 = [
            """
            CREATE TABLE artifacts (
                uuid text PRIMARY KEY,
                handle text NOT NULL,
                display_name text NOT NULL,
                version text NOT NULL,
                kind text NOT NULL,
                desired_state text NOT NULL,
                deployment_id text,
                deployed_at timestamptz,
                origin text NOT NULL,
                content text NOT NULL,
                content_sha256 text NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX artifacts_origin ON artifacts(origin)",
            "CREATE TABLE api_keys (id text PRIMARY KEY, artifact_uuid text NOT NULL, name text NOT NULL, created_at timestamptz NOT NULL)",
            "CREATE INDEX api_keys_artifact ON api_keys(artifact_uuid)",
            """
            CREATE TABLE subscriptions (id text PRIMARY KEY, artifact_uuid text NOT NULL, application_id text NOT NULL,
                created_at timestamptz NOT NULL)
            """,
            "CREATE INDEX subscriptions_artifact ON subscriptions(artifact_uuid)",
            "CREATE TABLE gateway_states (gateway_id text PRIMARY KEY, head_seq bigint NOT NULL, version_id text NOT NULL, updated_at timestamptz NOT NULL)",
            """
            CREATE TABLE events (
                gateway_id text NOT NULL,
                seq bigint NOT NULL,
                event_id text NOT NULL,
                entity_type text NOT NULL,
                action text NOT NULL,
                entity_id text NOT NULL,
                event_data text NOT NULL,
                originated_at timestamptz NOT NULL,
                processed_at timestamptz NOT NULL,
                PRIMARY KEY (gateway_id, seq),
                UNIQUE (gateway_id, event_id)
            )
            """,
            "CREATE INDEX events_processed ON events(gateway_id, processed_at)",
            """
            CREATE TABLE replicas (
                replica_id text PRIMARY KEY, gateway_id text NOT NULL, host text NOT NULL, pid integer NOT NULL,
                started_at timestamptz NOT NULL, heartbeat_at timestamptz NOT NULL, applied_seq bigint NOT NULL,
                applied_at timestamptz, status text NOT NULL, resyncs integer NOT NULL
            )
            """,
            """
            CREATE TABLE lag_samples (
                replica_id text NOT NULL, sampled_at timestamptz NOT NULL, head_seq bigint NOT NULL, applied_seq bigint NOT NULL,
                lag_seconds double precision NOT NULL, PRIMARY KEY (replica_id, sampled_at)
            )
            """,
            "CREATE INDEX lag_samples_time ON lag_samples(sampled_at)",
            """
            CREATE TABLE sync_lease (
                gateway_id text PRIMARY KEY, holder text NOT NULL, host text NOT NULL, pid integer NOT NULL, run_id bigint,
                expires_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE sync_runs (
                id bigserial PRIMARY KEY, gateway_id text NOT NULL, trigger text NOT NULL, requested_by text NOT NULL,
                phase text NOT NULL, outcome text NOT NULL, started_at timestamptz NOT NULL, finished_at timestamptz,
                counters text NOT NULL, errors text NOT NULL
            )
            """,
            """
            CREATE TABLE orphan_reviews (
                id bigserial PRIMARY KEY, artifact_uuid text NOT NULL, kind text NOT NULL, handle text NOT NULL,
                deployment_id text, deployed_at timestamptz, verdict text NOT NULL, status text NOT NULL,
                api_keys integer NOT NULL, subscriptions integer NOT NULL, detected_run bigint, detected_at timestamptz NOT NULL,
                reason text, decided_by text, decided_from text, decided_at timestamptz, updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX orphan_reviews_artifact ON orphan_reviews(artifact_uuid, id)",
            "CREATE INDEX orphan_reviews_status ON orphan_reviews(status)",
            """
            CREATE TABLE audit_log (
                id bigserial PRIMARY KEY, at timestamptz NOT NULL, actor text NOT NULL, client_address text, action text NOT NULL,
                target text NOT NULL, outcome text NOT NULL, detail text
            )
            """,
        ]
        public static let v002 = [
            "ALTER TABLE api_keys ADD COLUMN masked_key text NOT NULL DEFAULT ''",
            "ALTER TABLE api_keys ADD COLUMN key_hashes text NOT NULL DEFAULT '{}'",
            "ALTER TABLE api_keys ADD COLUMN status text NOT NULL DEFAULT 'active'",
            "ALTER TABLE api_keys ADD COLUMN expires_at timestamptz",
            "ALTER TABLE api_keys ADD COLUMN updated_at timestamptz",
            "DELETE FROM api_keys a USING api_keys b WHERE a.artifact_uuid = b.artifact_uuid AND a.name = b.name AND a.id > b.id",
            "CREATE UNIQUE INDEX api_keys_name ON api_keys(artifact_uuid, name)",
            "ALTER TABLE subscriptions ADD COLUMN plan_id text",
            "ALTER TABLE subscriptions ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE'",
        ]
        public static let v003 = ["ALTER TABLE audit_log ADD COLUMN peer text"]
    }
}
