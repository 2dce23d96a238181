/// Versioned PostgreSQL migrations: the same ids as SQLite's, in PostgreSQL's dialect. Never edit
/// a shipped migration: add a new one.
enum PostgresSchema {
    static let migrations: [(id: String, sql: [String])] = [
        ("001_core", v001),
        ("002_credentials", v002),
        ("003_audit_peer", v003),
    ]

    static let v001 = [
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

    /// What a gateway keeps of API keys and subscriptions (WIRE.md): keys are named per artifact.
    static let v002 = [
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

    /// Who the kernel says acted through the control socket (uid, pid), beside the claimed address.
    static let v003 = ["ALTER TABLE audit_log ADD COLUMN peer text"]
}
