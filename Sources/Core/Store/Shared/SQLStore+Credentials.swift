extension SQLStore {
    public func addAPIKey(_ key: APIKeyRecord) async throws {
        try await write("add API key") { s in try await Self.upsert(key, s) }
    }

    public func updateAPIKey(_ update: APIKeyUpdate) async throws -> Bool {
        try await write("update API key") { s in
            try await s.changes(
                """
                UPDATE api_keys SET masked_key = \(update.maskedKey), key_hashes = \(APIKeyRecord.json(hashes: update.hashes)),
                    expires_at = \(time: update.expiresAt), updated_at = \(time: update.updatedAt)
                WHERE artifact_uuid = \(update.artifactUUID) AND name = \(update.name)
                """) > 0
        }
    }

    public func removeAPIKey(artifactUUID: String, name: String) async throws {
        try await write("revoke API key") { s in
            try await s.execute("DELETE FROM api_keys WHERE artifact_uuid = \(artifactUUID) AND name = \(name)")
        }
    }

    public func addSubscription(_ subscription: SubscriptionRecord) async throws {
        try await write("add subscription") { s in try await Self.upsert(subscription, s) }
    }

    public func removeSubscription(id: String) async throws {
        try await write("delete subscription") { s in try await s.execute("DELETE FROM subscriptions WHERE id = \(id)") }
    }

    public func replaceAPIKeys(_ keys: [APIKeyRecord], ofArtifacts artifactUUIDs: [String]) async throws {
        try await write("load API keys") { s in
            let listed = Set(keys.map(\.id))
            for uuid in artifactUUIDs {
                try await Self.deleteUnlisted("api_keys", of: uuid, keeping: listed, s)
            }
            for key in keys { try await Self.upsert(key, s) }
        }
    }

    public func replaceSubscriptions(_ subscriptions: [SubscriptionRecord], ofArtifact uuid: String) async throws {
        let listed = subscriptions.filter { $0.artifactUUID == uuid }
        try await write("load subscriptions") { s in
            try await Self.deleteUnlisted("subscriptions", of: uuid, keeping: Set(listed.map(\.id)), s)
            for subscription in listed { try await Self.upsert(subscription, s) }
        }
    }

    public func credentialTotals() async throws -> Dependents {
        try await read("count API keys and subscriptions") { s in
            try await s.first("SELECT (SELECT COUNT(*) FROM api_keys), (SELECT COUNT(*) FROM subscriptions)", table: "api_keys") {
                Dependents(apiKeys: try $0.int(0), subscriptions: try $0.int(1))
            } ?? Dependents()
        }
    }

    public func apiKeys(of uuid: String) async throws -> [APIKeyRecord] {
        try await read("read API keys") { s in
            try await s.rows(
                """
                SELECT id, artifact_uuid, name, masked_key, key_hashes, status, \(SQL.micros("expires_at")),
                    \(SQL.micros("created_at")), \(SQL.micros("updated_at"))
                FROM api_keys WHERE artifact_uuid = \(uuid) ORDER BY name
                """, table: "api_keys"
            ) { r in
                APIKeyRecord(
                    id: try r.text(0), artifactUUID: try r.text(1), name: try r.text(2), maskedKey: try r.text(3),
                    hashes: APIKeyRecord.hashes(fromJSON: try r.text(4)), status: try r.text(5), expiresAt: try r.optionalTime(6),
                    createdAt: try r.time(7), updatedAt: try r.optionalTime(8))
            }
        }
    }

    public func subscriptions(of uuid: String) async throws -> [SubscriptionRecord] {
        try await read("read subscriptions") { s in
            try await s.rows(
                """
                SELECT id, artifact_uuid, application_id, plan_id, status, \(SQL.micros("created_at"))
                FROM subscriptions WHERE artifact_uuid = \(uuid) ORDER BY id
                """, table: "subscriptions"
            ) { r in
                let application = try r.text(2)
                return SubscriptionRecord(
                    id: try r.text(0), artifactUUID: try r.text(1), applicationId: application.isEmpty ? nil : application,
                    planId: try r.optionalText(3), status: try r.text(4), createdAt: try r.time(5))
            }
        }
    }

    /// Deletes the artifact's rows of `table` whose ids are not in `listed`.
    private static func deleteUnlisted(_ table: String, of uuid: String, keeping listed: Set<String>, _ s: any StoreSession) async throws {
        let ids = try await s.rows("SELECT id FROM \(unescaped: table) WHERE artifact_uuid = \(uuid)", table: table) { try $0.text(0) }
        for id in ids where !listed.contains(id) {
            try await s.execute("DELETE FROM \(unescaped: table) WHERE id = \(id)")
        }
    }

    /// Insert or update by id; `created_at` stays as first stored. A key's name is unique per
    /// artifact: another key of that name goes.
    private static func upsert(_ key: APIKeyRecord, _ s: any StoreSession) async throws {
        try await s.execute("DELETE FROM api_keys WHERE artifact_uuid = \(key.artifactUUID) AND name = \(key.name) AND id <> \(key.id)")
        try await s.execute(
            """
            INSERT INTO api_keys(id, artifact_uuid, name, masked_key, key_hashes, status, expires_at, created_at, updated_at)
            VALUES (\(key.id), \(key.artifactUUID), \(key.name), \(key.maskedKey), \(key.hashesJSON), \(key.status),
                \(time: key.expiresAt), \(time: key.createdAt), \(time: key.updatedAt))
            ON CONFLICT (id) DO UPDATE SET artifact_uuid = excluded.artifact_uuid, name = excluded.name,
                masked_key = excluded.masked_key, key_hashes = excluded.key_hashes, status = excluded.status,
                expires_at = excluded.expires_at, updated_at = excluded.updated_at
            """)
    }

    private static func upsert(_ sub: SubscriptionRecord, _ s: any StoreSession) async throws {
        try await s.execute(
            """
            INSERT INTO subscriptions(id, artifact_uuid, application_id, plan_id, status, created_at)
            VALUES (\(sub.id), \(sub.artifactUUID), \(sub.applicationId ?? ""), \(sub.planId), \(sub.status), \(time: sub.createdAt))
            ON CONFLICT (id) DO UPDATE SET artifact_uuid = excluded.artifact_uuid, application_id = excluded.application_id,
                plan_id = excluded.plan_id, status = excluded.status
            """)
    }
}
