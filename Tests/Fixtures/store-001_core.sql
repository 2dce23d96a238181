-- A gateway store as gwops left it at schema step 001_core (the step's SQL as it shipped, before
-- 002_credentials and 003_audit_peer), for the package upgrade test: `sqlite3 gateway.db < this file`. Gateway
-- gw-example, three artifacts, two API keys and a subscription, which the upgrade must keep.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
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
INSERT INTO artifacts VALUES('0b3c7e4a-1d2f-4c5e-9a8b-000000000001','orders-api','Orders API','v1.0','RestApi','deployed','dep-1',1796000000000,'control_plane',replace('apiVersion: gateway.api-platform.wso2.com/v1alpha1\nkind: RestApi\n','\n',char(10)),'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',1796000000000);
INSERT INTO artifacts VALUES('0b3c7e4a-1d2f-4c5e-9a8b-000000000002','chat-llm','Chat LLM','v2.1','LlmProvider','deployed','dep-2',1796000000000,'control_plane',replace('apiVersion: gateway.api-platform.wso2.com/v1alpha1\nkind: LlmProvider\n','\n',char(10)),'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',1796000000000);
INSERT INTO artifacts VALUES('0b3c7e4a-1d2f-4c5e-9a8b-000000000003','tools-mcp','Tools MCP','v0.3','Mcp','undeployed',NULL,NULL,'gateway_api',replace('apiVersion: gateway.api-platform.wso2.com/v1alpha1\nkind: Mcp\n','\n',char(10)),'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',1796000000000);
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    artifact_uuid TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO api_keys VALUES('key-1','0b3c7e4a-1d2f-4c5e-9a8b-000000000001','mobile',1796000000000);
INSERT INTO api_keys VALUES('key-2','0b3c7e4a-1d2f-4c5e-9a8b-000000000001','web',1796000000000);
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    artifact_uuid TEXT NOT NULL,
    application_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO subscriptions VALUES('sub-1','0b3c7e4a-1d2f-4c5e-9a8b-000000000001','app-7',1796000000000);
CREATE TABLE gateway_states (
    gateway_id TEXT PRIMARY KEY,
    head_seq INTEGER NOT NULL,
    version_id TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO gateway_states VALUES('gw-example',0,'',1796000000000);
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
CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
INSERT INTO grdb_migrations VALUES('001_core');
DELETE FROM sqlite_sequence;
CREATE INDEX artifacts_origin ON artifacts(origin);
CREATE INDEX api_keys_artifact ON api_keys(artifact_uuid);
CREATE INDEX subscriptions_artifact ON subscriptions(artifact_uuid);
CREATE INDEX events_processed ON events(gateway_id, processed_at);
CREATE INDEX lag_samples_time ON lag_samples(sampled_at);
CREATE INDEX orphan_reviews_artifact ON orphan_reviews(artifact_uuid, id);
CREATE INDEX orphan_reviews_status ON orphan_reviews(status);
COMMIT;
