import Foundation
internal import GRDB

extension SQLiteStore: ArtifactStore {
    static let summaryColumns = "uuid, handle, kind, desired_state, deployment_id, deployed_at, origin"

    static func summary(_ row: Row) throws -> ArtifactSummary {
        let uuid: String = row["uuid"]
        let kind = try StoredValue.decode(row["kind"], as: ArtifactKind.self, column: "kind", table: "artifacts", key: uuid)
        let state = try StoredValue.decode(row["desired_state"], as: DesiredState.self, column: "desired_state", table: "artifacts", key: uuid)
        let origin = try StoredValue.decode(row["origin"], as: Origin.self, column: "origin", table: "artifacts", key: uuid)
        return ArtifactSummary(
            uuid: uuid, handle: row["handle"], kind: kind, desiredState: state, deploymentId: row["deployment_id"],
            deployedAt: Timestamp(column: row["deployed_at"]), origin: origin)
    }

    /// Streams rows into summaries (no intermediate array of rows: 100,000 of them are tens of MB).
    static func fetchSummaries(_ db: Database, originFilter: Origin?) throws -> [ArtifactSummary] {
        let cursor = originFilter == nil
            ? try Row.fetchCursor(db, sql: "SELECT \(summaryColumns) FROM artifacts ORDER BY uuid")
            : try Row.fetchCursor(
                db, sql: "SELECT \(summaryColumns) FROM artifacts WHERE origin = ? ORDER BY uuid", arguments: [originFilter!.rawValue])
        var result: [ArtifactSummary] = []
        while let row = try cursor.next() { result.append(try summary(row)) }
        return result
    }

    static func fetchSummary(_ db: Database, uuid: String) throws -> ArtifactSummary? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(summaryColumns) FROM artifacts WHERE uuid = ?"), arguments: [uuid]).map(summary)
    }

    public func artifactSummaries() async throws -> [ArtifactSummary] {
        try await readSnapshot("list artifacts") { db in try Self.fetchSummaries(db, originFilter: nil) }
    }

    public func artifact(uuid: String) async throws -> Artifact? {
        try await readSnapshot("read artifact") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM artifacts WHERE uuid = ?", arguments: [uuid]) else {
                return nil
            }
            let s = try Self.summary(row)
            return Artifact(
                uuid: s.uuid, handle: s.handle, displayName: row["display_name"], version: row["version"], kind: s.kind,
                desiredState: s.desiredState, deploymentId: s.deploymentId, deployedAt: s.deployedAt, origin: s.origin,
                content: row["content"], contentSHA256: row["content_sha256"])
        }
    }

    public func upsertArtifacts(_ artifacts: [Artifact]) async throws -> [WriteOutcome] {
        let gatewayId = self.gatewayId
        // Built before taking the write lock, which is held for the writes alone.
        let candidates = artifacts.map { ArtifactEvents.change($0.summary, action: .create) }
        return try await writeTransaction("apply artifact batch") { db in
            var outcomes: [WriteOutcome] = []
            var events: [NewEvent] = []
            for (artifact, candidate) in zip(artifacts, candidates) {
                let outcome = try Self.guardedUpsert(artifact, db)
                outcomes.append(outcome)
                if outcome.affected { events.append(candidate.with(action: outcome == .inserted ? .create : .update)) }
            }
            _ = try Self.publish(events, gatewayId: gatewayId, in: db, describesChanges: true)
            return outcomes
        }
    }

    /// Insert when absent; overwrite only when the stored `deployed_at` is null or older.
    static func guardedUpsert(_ a: Artifact, _ db: Database) throws -> WriteOutcome {
        if let problem = ArtifactValidation.problem(a) { return .rejected(problem) }
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT deployed_at, origin FROM artifacts WHERE uuid = ?"), arguments: [a.uuid])
        let values: StatementArguments = [
            a.handle, a.displayName, a.version, a.kind.rawValue, a.desiredState.rawValue, a.deploymentId,
            a.deployedAt?.microseconds, a.origin.rawValue, a.content, a.contentSHA256, a.uuid,
        ]
        guard let existing else {
            try db.cachedStatement(
                sql: """
                    INSERT INTO artifacts(handle, display_name, version, kind, desired_state, deployment_id, deployed_at,
                                          origin, content, content_sha256, uuid, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(nowSQL))
                    """
            ).execute(arguments: values)
            return .inserted
        }
        if existing["origin"] as String != Origin.controlPlane.rawValue {
            return .rejected("artifact \(a.uuid) is managed through the gateway API, not the control plane")
        }
        if !GuardedWrite.overwrites(stored: Timestamp(column: existing["deployed_at"]), incoming: a.deployedAt) { return .stale }
        try db.cachedStatement(
            sql: """
                UPDATE artifacts SET handle = ?, display_name = ?, version = ?, kind = ?, desired_state = ?,
                    deployment_id = ?, deployed_at = ?, origin = ?, content = ?, content_sha256 = ?,
                    updated_at = \(nowSQL)
                WHERE uuid = ?
                """
        ).execute(arguments: values)
        return .updated
    }

    public func updateStatuses(_ changes: [StatusChange]) async throws -> [WriteOutcome] {
        let gatewayId = self.gatewayId
        return try await writeTransaction("apply status updates") { db in
            var outcomes: [WriteOutcome] = []
            var events: [NewEvent] = []
            for change in changes {
                try db.cachedStatement(
                    sql: """
                        UPDATE artifacts SET desired_state = ?, deployment_id = ?, deployed_at = ?, updated_at = \(Self.nowSQL)
                        WHERE uuid = ? AND origin = 'control_plane'
                          AND (deployed_at IS NULL OR deployed_at < ?
                               OR (deployed_at = ? AND deployment_id = ? AND desired_state <> ?))
                        """
                ).execute(
                    arguments: [
                        change.state.rawValue, change.deploymentId, change.deployedAt.microseconds, change.uuid,
                        change.deployedAt.microseconds, change.deployedAt.microseconds, change.deploymentId,
                        change.state.rawValue,
                    ])
                if db.changesCount == 1, let summary = try Self.fetchSummary(db, uuid: change.uuid) {
                    outcomes.append(.updated)
                    events.append(ArtifactEvents.change(summary, action: .update))
                } else {
                    outcomes.append(.stale)
                }
            }
            _ = try Self.publish(events, gatewayId: gatewayId, in: db, describesChanges: true)
            return outcomes
        }
    }

    public func dependents(of uuids: [String]) async throws -> [String: Dependents] {
        try await readSnapshot("count keys and subscriptions") { db in
            var result: [String: Dependents] = [:]
            for uuid in uuids { result[uuid] = try Self.dependents(of: uuid, db) }
            return result
        }
    }

    static func dependents(of uuid: String, _ db: Database) throws -> Dependents {
        Dependents(
            apiKeys: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_keys WHERE artifact_uuid = ?", arguments: [uuid]) ?? 0,
            subscriptions: try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM subscriptions WHERE artifact_uuid = ?", arguments: [uuid]) ?? 0)
    }

    public func artifactCounts() async throws -> ArtifactCounts {
        try await readSnapshot("count artifacts") { db in
            var counts = ArtifactCounts()
            for row in try Row.fetchAll(
                db, sql: "SELECT kind, desired_state, COUNT(*) AS n FROM artifacts GROUP BY kind, desired_state")
            {
                let n: Int = row["n"]
                let kind: String = row["kind"]
                counts.total += n
                counts.byKind[kind, default: 0] += n
                if row["desired_state"] as String == DesiredState.deployed.rawValue {
                    counts.deployed += n
                } else {
                    counts.undeployed += n
                }
            }
            return counts
        }
    }

    public func apiKeyCounts() async throws -> [String: Int] {
        try await readSnapshot("count API keys") { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT artifact_uuid, COUNT(*) AS n FROM api_keys GROUP BY artifact_uuid") {
                counts[row["artifact_uuid"]] = row["n"]
            }
            return counts
        }
    }
}
