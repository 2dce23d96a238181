import Foundation
internal import PostgresNIO

extension PostgresStore: ArtifactStore {
    static let summaryColumns = "uuid, handle, kind, desired_state, deployment_id, \(PG.micros("deployed_at")), origin"

    static func decodeSummaries(_ rows: PostgresRowSequence) async throws -> [ArtifactSummary] {
        var result: [ArtifactSummary] = []
        for try await (uuid, handle, kind, state, deployment, at, origin) in rows.decode(
            (String, String, String, String, String?, Int64?, String).self)
        {
            let k = try StoredValue.decode(kind, as: ArtifactKind.self, column: "kind", table: "artifacts", key: uuid)
            let s = try StoredValue.decode(state, as: DesiredState.self, column: "desired_state", table: "artifacts", key: uuid)
            let o = try StoredValue.decode(origin, as: Origin.self, column: "origin", table: "artifacts", key: uuid)
            result.append(ArtifactSummary(
                uuid: uuid, handle: handle, kind: k, desiredState: s, deploymentId: deployment,
                deployedAt: at.map { Timestamp(microseconds: $0) }, origin: o))
        }
        return result
    }

    static func fetchSummaries(_ conn: PostgresConnection, _ logger: Logger) async throws -> [ArtifactSummary] {
        try await decodeSummaries(try await conn.checkedQuery("SELECT \(unescaped: summaryColumns) FROM artifacts ORDER BY uuid", logger: logger))
    }

    static func fetchSummary(_ conn: PostgresConnection, uuid: String, lock: Bool = false, _ logger: Logger) async throws -> ArtifactSummary? {
        try await decodeSummaries(try await conn.checkedQuery(
            "SELECT \(unescaped: summaryColumns) FROM artifacts WHERE uuid = \(uuid) \(unescaped: lock ? "FOR UPDATE" : "")",
            logger: logger)).first
    }

    public func artifactSummaries() async throws -> [ArtifactSummary] {
        try await reading("list artifacts") { conn in try await Self.fetchSummaries(conn, logger) }
    }

    public func artifact(uuid: String) async throws -> Artifact? {
        try await reading("read artifact") { conn in
            guard let s = try await Self.fetchSummary(conn, uuid: uuid, logger) else { return nil }
            for try await (name, version, content, sha) in try await conn.checkedQuery(
                "SELECT display_name, version, content, content_sha256 FROM artifacts WHERE uuid = \(uuid)", logger: logger
            ).decode((String, String, String, String).self) {
                return Artifact(
                    uuid: s.uuid, handle: s.handle, displayName: name, version: version, kind: s.kind, desiredState: s.desiredState,
                    deploymentId: s.deploymentId, deployedAt: s.deployedAt, origin: s.origin, content: content, contentSHA256: sha)
            }
            return nil
        }
    }

    public func upsertArtifacts(_ artifacts: [Artifact]) async throws -> [WriteOutcome] {
        // Built before the transaction, which holds row locks.
        let candidates = artifacts.map { ArtifactEvents.change($0.summary, action: .create) }
        return try await transaction("apply artifact batch") { conn in
            var outcomes: [WriteOutcome] = []
            var events: [NewEvent] = []
            for (a, candidate) in zip(artifacts, candidates) {
                let outcome = try await Self.guardedUpsert(a, conn, logger)
                outcomes.append(outcome)
                if outcome.affected { events.append(candidate.with(action: outcome == .inserted ? .create : .update)) }
            }
            _ = try await Self.publish(events, gatewayId: gatewayId, on: conn, logger: logger, describesChanges: true)
            return outcomes
        }
    }

    /// One statement: insert, or overwrite only a control-plane row with a null or older
    /// `deployed_at` (concurrent writers cannot both insert).
    static func guardedUpsert(_ a: Artifact, _ conn: PostgresConnection, _ logger: Logger) async throws -> WriteOutcome {
        if let problem = ArtifactValidation.problem(a) { return .rejected(problem) }
        let at = a.deployedAt?.microseconds
        let rows = try await conn.checkedQuery(
            """
            INSERT INTO artifacts(uuid, handle, display_name, version, kind, desired_state, deployment_id, deployed_at, origin,
                                  content, content_sha256, updated_at)
            VALUES (\(a.uuid), \(a.handle), \(a.displayName), \(a.version), \(a.kind.rawValue), \(a.desiredState.rawValue),
                    \(a.deploymentId), timestamptz 'epoch' + \(at)::bigint * interval '1 microsecond', \(a.origin.rawValue),
                    \(a.content), \(a.contentSHA256), clock_timestamp())
            ON CONFLICT (uuid) DO UPDATE SET handle = EXCLUDED.handle, display_name = EXCLUDED.display_name,
                version = EXCLUDED.version, kind = EXCLUDED.kind, desired_state = EXCLUDED.desired_state,
                deployment_id = EXCLUDED.deployment_id, deployed_at = EXCLUDED.deployed_at, origin = EXCLUDED.origin,
                content = EXCLUDED.content, content_sha256 = EXCLUDED.content_sha256, updated_at = EXCLUDED.updated_at
            WHERE artifacts.origin = 'control_plane' AND (artifacts.deployed_at IS NULL OR artifacts.deployed_at < EXCLUDED.deployed_at)
            RETURNING (xmax = 0)
            """, logger: logger)
        var written: Bool?
        for try await inserted in rows.decode(Bool.self) { written = inserted }
        if let written { return written ? .inserted : .updated }
        if let current = try await fetchSummary(conn, uuid: a.uuid, logger), current.origin != .controlPlane {
            return .rejected("artifact \(a.uuid) is managed through the gateway API, not the control plane")
        }
        return .stale
    }

    public func updateStatuses(_ changes: [StatusChange]) async throws -> [WriteOutcome] {
        try await transaction("apply status updates") { conn in
            var outcomes: [WriteOutcome] = []
            var events: [NewEvent] = []
            for c in changes {
                let at = c.deployedAt.microseconds
                let rows = try await conn.checkedQuery(
                    """
                    UPDATE artifacts SET desired_state = \(c.state.rawValue), deployment_id = \(c.deploymentId),
                        deployed_at = timestamptz 'epoch' + \(at)::bigint * interval '1 microsecond', updated_at = clock_timestamp()
                    WHERE uuid = \(c.uuid) AND origin = 'control_plane'
                      AND (deployed_at IS NULL OR deployed_at < timestamptz 'epoch' + \(at)::bigint * interval '1 microsecond'
                           OR (deployed_at = timestamptz 'epoch' + \(at)::bigint * interval '1 microsecond'
                               AND deployment_id = \(c.deploymentId) AND desired_state <> \(c.state.rawValue)))
                    RETURNING \(unescaped: Self.summaryColumns)
                    """, logger: logger)
                if let summary = try await Self.decodeSummaries(rows).first {
                    outcomes.append(.updated)
                    events.append(ArtifactEvents.change(summary, action: .update))
                } else {
                    outcomes.append(.stale)
                }
            }
            _ = try await Self.publish(events, gatewayId: gatewayId, on: conn, logger: logger, describesChanges: true)
            return outcomes
        }
    }

    static func dependents(of uuid: String, _ conn: PostgresConnection, _ logger: Logger) async throws -> Dependents {
        var d = Dependents()
        for try await (keys, subs) in try await conn.checkedQuery(
            """
            SELECT (SELECT COUNT(*) FROM api_keys WHERE artifact_uuid = \(uuid)),
                   (SELECT COUNT(*) FROM subscriptions WHERE artifact_uuid = \(uuid))
            """, logger: logger
        ).decode((Int64, Int64).self) { d = Dependents(apiKeys: Int(keys), subscriptions: Int(subs)) }
        return d
    }

    public func dependents(of uuids: [String]) async throws -> [String: Dependents] {
        try await reading("count keys and subscriptions") { conn in
            var result: [String: Dependents] = [:]
            for uuid in uuids { result[uuid] = try await Self.dependents(of: uuid, conn, logger) }
            return result
        }
    }

    public func artifactCounts() async throws -> ArtifactCounts {
        try await reading("count artifacts") { conn in
            var counts = ArtifactCounts()
            for try await (kind, state, n) in try await conn.checkedQuery(
                "SELECT kind, desired_state, COUNT(*) FROM artifacts GROUP BY kind, desired_state", logger: logger
            ).decode((String, String, Int64).self) {
                counts.total += Int(n)
                counts.byKind[kind, default: 0] += Int(n)
                if state == DesiredState.deployed.rawValue { counts.deployed += Int(n) } else { counts.undeployed += Int(n) }
            }
            return counts
        }
    }

    public func apiKeyCounts() async throws -> [String: Int] {
        try await reading("count API keys") { conn in
            var counts: [String: Int] = [:]
            for try await (uuid, n) in try await conn.checkedQuery(
                "SELECT artifact_uuid, COUNT(*) FROM api_keys GROUP BY artifact_uuid", logger: logger
            ).decode((String, Int64).self) { counts[uuid] = Int(n) }
            return counts
        }
    }
}
