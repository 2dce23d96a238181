internal import GRDB

extension SQLiteStore: CredentialStore {
    public func addAPIKey(_ key: APIKeyRecord) async throws {
        try await writeTransaction("add API key") { db in try Self.upsert(key, db) }
    }

    public func updateAPIKey(_ update: APIKeyUpdate) async throws -> Bool {
        try await writeTransaction("update API key") { db in
            try db.execute(
                sql: """
                    UPDATE api_keys SET masked_key = ?, key_hashes = ?, expires_at = ?, updated_at = ?
                    WHERE artifact_uuid = ? AND name = ?
                    """,
                arguments: [
                    update.maskedKey, APIKeyRecord.json(hashes: update.hashes),
                    update.expiresAt?.microseconds, update.updatedAt.microseconds, update.artifactUUID, update.name,
                ])
            return db.changesCount > 0
        }
    }

    public func removeAPIKey(artifactUUID: String, name: String) async throws {
        try await writeTransaction("revoke API key") { db in
            try db.execute(sql: "DELETE FROM api_keys WHERE artifact_uuid = ? AND name = ?", arguments: [artifactUUID, name])
        }
    }

    public func addSubscription(_ subscription: SubscriptionRecord) async throws {
        try await writeTransaction("add subscription") { db in try Self.upsert(subscription, db) }
    }

    public func removeSubscription(id: String) async throws {
        try await writeTransaction("delete subscription") { db in
            try db.execute(sql: "DELETE FROM subscriptions WHERE id = ?", arguments: [id])
        }
    }

    public func replaceAPIKeys(_ keys: [APIKeyRecord], ofArtifacts artifactUUIDs: [String]) async throws {
        try await writeTransaction("load API keys") { db in
            let listed = Set(keys.map(\.id))
            for uuid in artifactUUIDs {
                for id in try String.fetchAll(db, sql: "SELECT id FROM api_keys WHERE artifact_uuid = ?", arguments: [uuid])
                where !listed.contains(id) {
                    try db.execute(sql: "DELETE FROM api_keys WHERE id = ?", arguments: [id])
                }
            }
            for key in keys { try Self.upsert(key, db) }
        }
    }

    public func replaceSubscriptions(_ subscriptions: [SubscriptionRecord], ofArtifact uuid: String) async throws {
        try await writeTransaction("load subscriptions") { db in
            let listed = Set(subscriptions.map(\.id))
            for id in try String.fetchAll(db, sql: "SELECT id FROM subscriptions WHERE artifact_uuid = ?", arguments: [uuid])
            where !listed.contains(id) {
                try db.execute(sql: "DELETE FROM subscriptions WHERE id = ?", arguments: [id])
            }
            for s in subscriptions where s.artifactUUID == uuid { try Self.upsert(s, db) }
        }
    }

    public func credentialTotals() async throws -> Dependents {
        try await readSnapshot("count API keys and subscriptions") { db in
            Dependents(
                apiKeys: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_keys") ?? 0,
                subscriptions: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM subscriptions") ?? 0)
        }
    }

    public func apiKeys(of uuid: String) async throws -> [APIKeyRecord] {
        try await readSnapshot("read API keys") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys WHERE artifact_uuid = ? ORDER BY name", arguments: [uuid]).map { row in
                APIKeyRecord(
                    id: row["id"], artifactUUID: row["artifact_uuid"], name: row["name"], maskedKey: row["masked_key"],
                    hashes: APIKeyRecord.hashes(fromJSON: row["key_hashes"]), status: row["status"],
                    expiresAt: (row["expires_at"] as Int64?).map(Timestamp.init(microseconds:)),
                    createdAt: Timestamp(microseconds: row["created_at"]),
                    updatedAt: (row["updated_at"] as Int64?).map(Timestamp.init(microseconds:)))
            }
        }
    }

    public func subscriptions(of uuid: String) async throws -> [SubscriptionRecord] {
        try await readSnapshot("read subscriptions") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM subscriptions WHERE artifact_uuid = ? ORDER BY id", arguments: [uuid]).map { row in
                let application: String = row["application_id"]
                return SubscriptionRecord(
                    id: row["id"], artifactUUID: row["artifact_uuid"], applicationId: application.isEmpty ? nil : application,
                    planId: row["plan_id"], status: row["status"], createdAt: Timestamp(microseconds: row["created_at"]))
            }
        }
    }

    private static func upsert(_ key: APIKeyRecord, _ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM api_keys WHERE artifact_uuid = ? AND name = ? AND id <> ?", arguments: [key.artifactUUID, key.name, key.id])
        try db.execute(
            sql: """
                INSERT INTO api_keys(id, artifact_uuid, name, masked_key, key_hashes, status, expires_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET artifact_uuid = excluded.artifact_uuid, name = excluded.name,
                    masked_key = excluded.masked_key, key_hashes = excluded.key_hashes, status = excluded.status,
                    expires_at = excluded.expires_at, updated_at = excluded.updated_at
                """,
            arguments: [
                key.id, key.artifactUUID, key.name, key.maskedKey, key.hashesJSON, key.status, key.expiresAt?.microseconds,
                key.createdAt.microseconds, key.updatedAt.microseconds,
            ])
    }

    private static func upsert(_ s: SubscriptionRecord, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO subscriptions(id, artifact_uuid, application_id, plan_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET artifact_uuid = excluded.artifact_uuid, application_id = excluded.application_id,
                    plan_id = excluded.plan_id, status = excluded.status
                """,
            arguments: [s.id, s.artifactUUID, s.applicationId ?? "", s.planId, s.status, s.createdAt.microseconds])
    }
}
