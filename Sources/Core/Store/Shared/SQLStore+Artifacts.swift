extension SQLStore {
    public func artifactSummaries() async throws -> [ArtifactSummary] {
        try await read("list artifacts") { s in try await ArtifactRows.summaries(s) }
    }

    public func artifact(uuid: String) async throws -> Artifact? {
        try await read("read artifact") { s in
            try await s.first(
                "SELECT \(ArtifactRows.summaryColumns), display_name, version, content, content_sha256 FROM artifacts WHERE uuid = \(uuid)",
                table: "artifacts"
            ) { r in
                let a = try ArtifactRows.summary(r)
                return Artifact(
                    uuid: a.uuid, handle: a.handle, displayName: try r.text(7), version: try r.text(8), kind: a.kind,
                    desiredState: a.desiredState, deploymentId: a.deploymentId, deployedAt: a.deployedAt, origin: a.origin,
                    content: try r.text(9), contentSHA256: try r.text(10))
            }
        }
    }

    public func upsertArtifacts(_ artifacts: [Artifact]) async throws -> [WriteOutcome] {
        let gatewayId = self.gatewayId
        // Built before the transaction, which holds the write lock (SQLite) or row locks.
        let candidates = artifacts.map { ArtifactEvents.change($0.summary, action: .create) }
        return try await write("apply artifact batch") { s in
            var outcomes: [WriteOutcome] = []
            var events: [NewEvent] = []
            for (artifact, candidate) in zip(artifacts, candidates) {
                let outcome = try await ArtifactRows.guardedUpsert(artifact, s)
                outcomes.append(outcome)
                if outcome.affected { events.append(candidate.with(action: outcome == .inserted ? .create : .update)) }
            }
            _ = try await s.publish(events, gatewayId: gatewayId, describesChanges: true)
            return outcomes
        }
    }

    public func updateStatuses(_ changes: [StatusChange]) async throws -> [WriteOutcome] {
        let gatewayId = self.gatewayId
        return try await write("apply status updates") { s in
            var outcomes: [WriteOutcome] = []
            var events: [NewEvent] = []
            for change in changes {
                guard var stored = try await ArtifactRows.summary(s, uuid: change.uuid), GuardedWrite.appliesStatus(change, to: stored) else {
                    outcomes.append(.stale)
                    continue
                }
                try await s.execute(
                    """
                    UPDATE artifacts SET desired_state = \(change.state), deployment_id = \(change.deploymentId),
                        deployed_at = \(time: change.deployedAt), updated_at = \(SQL.now)
                    WHERE uuid = \(change.uuid)
                    """)
                (stored.desiredState, stored.deploymentId, stored.deployedAt) = (change.state, change.deploymentId, change.deployedAt)
                outcomes.append(.updated)
                events.append(ArtifactEvents.change(stored, action: .update))
            }
            _ = try await s.publish(events, gatewayId: gatewayId, describesChanges: true)
            return outcomes
        }
    }

    public func dependents(of uuids: [String]) async throws -> [String: Dependents] {
        try await read("count keys and subscriptions") { s in
            var result: [String: Dependents] = [:]
            for uuid in uuids { result[uuid] = try await ArtifactRows.dependents(s, uuid: uuid) }
            return result
        }
    }

    public func artifactCounts() async throws -> ArtifactCounts {
        try await read("count artifacts") { s in
            var counts = ArtifactCounts()
            try await s.forEach("SELECT kind, desired_state, COUNT(*) FROM artifacts GROUP BY kind, desired_state", table: "artifacts") { r in
                let n = try r.int(2)
                counts.total += n
                counts.byKind[try r.text(0), default: 0] += n
                if try r.text(1) == DesiredState.deployed.rawValue { counts.deployed += n } else { counts.undeployed += n }
            }
            return counts
        }
    }

    public func apiKeyCounts() async throws -> [String: Int] {
        try await read("count API keys") { s in try await Self.apiKeyCounts(s) }
    }

    static func apiKeyCounts(_ s: any StoreSession) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        try await s.forEach("SELECT artifact_uuid, COUNT(*) FROM api_keys GROUP BY artifact_uuid", table: "api_keys") { r in
            counts[try r.text(0)] = try r.int(1)
        }
        return counts
    }
}

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

    /// Every artifact, ordered by id, streamed into summaries (100,000 rows are never gathered).
    static func summaries(_ s: any StoreSession) async throws -> [ArtifactSummary] {
        var result: [ArtifactSummary] = []
        try await s.forEach("SELECT \(summaryColumns) FROM artifacts ORDER BY uuid", table: "artifacts") { result.append(try summary($0)) }
        return result
    }

    /// The artifact's row as it is now; in a write, locked until the transaction ends.
    static func summary(_ s: any StoreSession, uuid: String) async throws -> ArtifactSummary? {
        try await s.first("SELECT \(summaryColumns) FROM artifacts WHERE uuid = \(uuid) \(SQL.forUpdate)", table: "artifacts", summary)
    }

    /// Insert when absent, else what `GuardedWrite.outcome` decides against the stored row
    /// (locked). Inserting first means two writers on two hosts cannot both insert. No
    /// `RETURNING`, one row a statement: on SQLite either takes a statement journal (a copy of
    /// every page the insert changes, content included), which cost a sync a tenth of its rate.
    static func guardedUpsert(_ a: Artifact, _ s: any StoreSession) async throws -> WriteOutcome {
        if let problem = ArtifactValidation.problem(a) { return .rejected(problem) }
        let inserted = try await s.changes(
            """
            INSERT INTO artifacts(uuid, handle, display_name, version, kind, desired_state, deployment_id, deployed_at, origin,
                                  content, content_sha256, updated_at)
            VALUES (\(a.uuid), \(a.handle), \(a.displayName), \(a.version), \(a.kind), \(a.desiredState), \(a.deploymentId),
                    \(time: a.deployedAt), \(a.origin), \(a.content), \(a.contentSHA256), \(SQL.now))
            ON CONFLICT (uuid) DO NOTHING
            """) == 1
        if inserted { return .inserted }
        // Gone again since the insert met it (a concurrent delete): nothing written, and the next
        // sync inserts it.
        guard let stored = try await summary(s, uuid: a.uuid) else { return .stale }
        let outcome = GuardedWrite.outcome(stored: stored, incoming: a)
        guard outcome == .updated else { return outcome }
        try await s.execute(
            """
            UPDATE artifacts SET handle = \(a.handle), display_name = \(a.displayName), version = \(a.version), kind = \(a.kind),
                desired_state = \(a.desiredState), deployment_id = \(a.deploymentId), deployed_at = \(time: a.deployedAt),
                origin = \(a.origin), content = \(a.content), content_sha256 = \(a.contentSHA256), updated_at = \(SQL.now)
            WHERE uuid = \(a.uuid)
            """)
        return .updated
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
