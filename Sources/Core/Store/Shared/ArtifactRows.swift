/// The artifact reads and conditional writes that other statements build on, written once.
enum ArtifactRows {
    static let summaryColumns: SQL = "uuid, handle, kind, desired_state, deployment_id, \(SQL.micros("deployed_at")), origin"

    static func summary(_ row: StoreRow) throws -> ArtifactSummary {
        let uuid = try row.text(0)
        return ArtifactSummary(
            uuid: uuid, handle: try row.text(1), kind: try row.word(2, as: ArtifactKind.self, column: "kind", key: uuid),
            desiredState: try row.word(3, as: DesiredState.self, column: "desired_state", key: uuid),
            deploymentId: try row.optionalText(4), deployedAt: try row.optionalTime(5),
            origin: try row.word(6, as: Origin.self, column: "origin", key: uuid))
    }

    /// The artifact's row as it is now; in a write, locked until the transaction ends.
    static func summary(_ s: any StoreSession, uuid: String) async throws -> ArtifactSummary? {
        try await s.first("SELECT \(summaryColumns) FROM artifacts WHERE uuid = \(uuid) \(SQL.forUpdate)", table: "artifacts", summary)
    }

    static func dependents(_ s: any StoreSession, uuid: String) async throws -> Dependents {
        try await s.first(
            """
            SELECT (SELECT COUNT(*) FROM api_keys WHERE artifact_uuid = \(uuid)),
                   (SELECT COUNT(*) FROM subscriptions WHERE artifact_uuid = \(uuid))
            """, table: "api_keys"
        ) { Dependents(apiKeys: try $0.int(0), subscriptions: try $0.int(1)) } ?? Dependents()
    }

    /// Deletes the artifact, its subscriptions and keys, and publishes the DELETE event.
    static func delete(_ s: any StoreSession, _ current: ArtifactSummary, gatewayId: String) async throws {
        try await s.execute("DELETE FROM subscriptions WHERE artifact_uuid = \(current.uuid)")
        try await s.execute("DELETE FROM api_keys WHERE artifact_uuid = \(current.uuid)")
        try await s.execute("DELETE FROM artifacts WHERE uuid = \(current.uuid)")
        _ = try await s.publish([ArtifactEvents.deletion(current)], gatewayId: gatewayId, describesChanges: true)
    }

    /// Sets the artifact undeployed (keys and subscriptions kept) when the row is still
    /// `expected`. Returns false when the row changed or is gone.
    static func retain(_ s: any StoreSession, uuid: String, expected: RowVersion, gatewayId: String) async throws -> Bool {
        guard var current = try await summary(s, uuid: uuid), current.rowVersion == expected else { return false }
        guard current.desiredState != .undeployed else { return true }
        try await s.execute("UPDATE artifacts SET desired_state = 'undeployed', updated_at = \(SQL.now) WHERE uuid = \(uuid)")
        current.desiredState = .undeployed
        _ = try await s.publish([ArtifactEvents.retention(current)], gatewayId: gatewayId, describesChanges: true)
        return true
    }
}
