import Logging
internal import PostgresNIO

extension PostgresStore: CredentialStore {
    public func addAPIKey(_ key: APIKeyRecord) async throws {
        try await transaction("add API key") { conn in try await Self.upsert(key, conn, logger) }
    }

    public func updateAPIKey(_ update: APIKeyUpdate) async throws -> Bool {
        try await transaction("update API key") { conn in
            var changed = false
            for try await _ in try await conn.checkedQuery(
                """
                UPDATE api_keys SET masked_key = \(update.maskedKey), key_hashes = \(APIKeyRecord.json(hashes: update.hashes)),
                    expires_at = timestamptz 'epoch' + \(update.expiresAt?.microseconds)::bigint * interval '1 microsecond', updated_at = timestamptz 'epoch' + \(update.updatedAt.microseconds)::bigint * interval '1 microsecond'
                WHERE artifact_uuid = \(update.artifactUUID) AND name = \(update.name) RETURNING id
                """, logger: logger
            ).decode(String.self) { changed = true }
            return changed
        }
    }

    public func removeAPIKey(artifactUUID: String, name: String) async throws {
        try await transaction("revoke API key") { conn in
            try await conn.checkedQuery("DELETE FROM api_keys WHERE artifact_uuid = \(artifactUUID) AND name = \(name)", logger: logger)
        }
    }

    public func addSubscription(_ subscription: SubscriptionRecord) async throws {
        try await transaction("add subscription") { conn in try await Self.upsert(subscription, conn, logger) }
    }

    public func removeSubscription(id: String) async throws {
        try await transaction("delete subscription") { conn in
            try await conn.checkedQuery("DELETE FROM subscriptions WHERE id = \(id)", logger: logger)
        }
    }

    public func replaceAPIKeys(_ keys: [APIKeyRecord], ofArtifacts artifactUUIDs: [String]) async throws {
        try await transaction("load API keys") { conn in
            try await conn.checkedQuery(
                "DELETE FROM api_keys WHERE artifact_uuid = ANY(\(artifactUUIDs)) AND NOT (id = ANY(\(keys.map(\.id))))", logger: logger)
            for key in keys { try await Self.upsert(key, conn, logger) }
        }
    }

    public func replaceSubscriptions(_ subscriptions: [SubscriptionRecord], ofArtifact uuid: String) async throws {
        let listed = subscriptions.filter { $0.artifactUUID == uuid }
        try await transaction("load subscriptions") { conn in
            try await conn.checkedQuery(
                "DELETE FROM subscriptions WHERE artifact_uuid = \(uuid) AND NOT (id = ANY(\(listed.map(\.id))))", logger: logger)
            for s in listed { try await Self.upsert(s, conn, logger) }
        }
    }

    public func credentialTotals() async throws -> Dependents {
        try await reading("count API keys and subscriptions") { conn in
            var totals = Dependents()
            for try await (keys, subscriptions) in try await conn.checkedQuery(
                "SELECT (SELECT COUNT(*) FROM api_keys), (SELECT COUNT(*) FROM subscriptions)", logger: logger
            ).decode((Int64, Int64).self) { totals = Dependents(apiKeys: Int(keys), subscriptions: Int(subscriptions)) }
            return totals
        }
    }

    public func apiKeys(of uuid: String) async throws -> [APIKeyRecord] {
        try await reading("read API keys") { conn in
            var keys: [APIKeyRecord] = []
            for try await (id, artifact, name, masked, hashes, status, expires, created, updated) in try await conn.checkedQuery(
                """
                SELECT id, artifact_uuid, name, masked_key, key_hashes, status, \(unescaped: PG.micros("expires_at")),
                    \(unescaped: PG.micros("created_at")), \(unescaped: PG.micros("updated_at"))
                FROM api_keys WHERE artifact_uuid = \(uuid) ORDER BY name
                """, logger: logger
            ).decode((String, String, String, String, String, String, Int64?, Int64, Int64?).self) {
                keys.append(
                    APIKeyRecord(
                        id: id, artifactUUID: artifact, name: name, maskedKey: masked, hashes: APIKeyRecord.hashes(fromJSON: hashes),
                        status: status, expiresAt: expires.map(Timestamp.init(microseconds:)), createdAt: Timestamp(microseconds: created),
                        updatedAt: updated.map(Timestamp.init(microseconds:))))
            }
            return keys
        }
    }

    public func subscriptions(of uuid: String) async throws -> [SubscriptionRecord] {
        try await reading("read subscriptions") { conn in
            var result: [SubscriptionRecord] = []
            for try await (id, artifact, application, plan, status, created) in try await conn.checkedQuery(
                """
                SELECT id, artifact_uuid, application_id, plan_id, status, \(unescaped: PG.micros("created_at"))
                FROM subscriptions WHERE artifact_uuid = \(uuid) ORDER BY id
                """, logger: logger
            ).decode((String, String, String, String?, String, Int64).self) {
                result.append(
                    SubscriptionRecord(
                        id: id, artifactUUID: artifact, applicationId: application.isEmpty ? nil : application, planId: plan,
                        status: status, createdAt: Timestamp(microseconds: created)))
            }
            return result
        }
    }

    private static func upsert(_ key: APIKeyRecord, _ conn: PostgresConnection, _ logger: Logger) async throws {
        try await conn.checkedQuery(
            "DELETE FROM api_keys WHERE artifact_uuid = \(key.artifactUUID) AND name = \(key.name) AND id <> \(key.id)", logger: logger)
        try await conn.checkedQuery(
            """
            INSERT INTO api_keys(id, artifact_uuid, name, masked_key, key_hashes, status, expires_at, created_at, updated_at)
            VALUES (\(key.id), \(key.artifactUUID), \(key.name), \(key.maskedKey), \(key.hashesJSON), \(key.status),
                timestamptz 'epoch' + \(key.expiresAt?.microseconds)::bigint * interval '1 microsecond',
                timestamptz 'epoch' + \(key.createdAt.microseconds)::bigint * interval '1 microsecond',
                timestamptz 'epoch' + \(key.updatedAt.microseconds)::bigint * interval '1 microsecond')
            ON CONFLICT (id) DO UPDATE SET artifact_uuid = EXCLUDED.artifact_uuid, name = EXCLUDED.name,
                masked_key = EXCLUDED.masked_key, key_hashes = EXCLUDED.key_hashes, status = EXCLUDED.status,
                expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at
            """, logger: logger)
    }

    private static func upsert(_ s: SubscriptionRecord, _ conn: PostgresConnection, _ logger: Logger) async throws {
        try await conn.checkedQuery(
            """
            INSERT INTO subscriptions(id, artifact_uuid, application_id, plan_id, status, created_at)
            VALUES (\(s.id), \(s.artifactUUID), \(s.applicationId ?? ""), \(s.planId), \(s.status),
                timestamptz 'epoch' + \(s.createdAt.microseconds)::bigint * interval '1 microsecond')
            ON CONFLICT (id) DO UPDATE SET artifact_uuid = EXCLUDED.artifact_uuid, application_id = EXCLUDED.application_id,
                plan_id = EXCLUDED.plan_id, status = EXCLUDED.status
            """, logger: logger)
    }
}
