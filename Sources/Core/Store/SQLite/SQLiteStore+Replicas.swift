internal import GRDB

extension SQLiteStore: ReplicaRegistry {
    static func replica(_ row: Row) throws -> ReplicaRecord {
        let id: String = row["replica_id"]
        return ReplicaRecord(
            replicaId: row["replica_id"], gatewayId: row["gateway_id"], host: row["host"], pid: row["pid"],
            startedAt: Timestamp(microseconds: row["started_at"]), heartbeatAt: Timestamp(microseconds: row["heartbeat_at"]),
            appliedSeq: row["applied_seq"], appliedAt: Timestamp(column: row["applied_at"]),
            state: try StoredValue.decode(row["status"], as: ReplicaState.self, column: "status", table: "replicas", key: id),
            resyncs: row["resyncs"])
    }

    public func registerReplica(id: String, host: String, pid: Int32) async throws -> ReplicaRecord {
        let gatewayId = self.gatewayId
        return try await writeTransaction("register replica") { db in
            try db.execute(
                sql: """
                    INSERT INTO replicas(replica_id, gateway_id, host, pid, started_at, heartbeat_at, applied_seq,
                                         applied_at, status, resyncs)
                    VALUES (?, ?, ?, ?, \(Self.nowSQL), \(Self.nowSQL), 0, NULL, 'starting', 0)
                    ON CONFLICT(replica_id) DO UPDATE SET host = excluded.host, pid = excluded.pid,
                        started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, status = 'starting'
                    """,
                arguments: [id, gatewayId, host, pid])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM replicas WHERE replica_id = ?", arguments: [id]) else {
                throw StorageError.query(operation: "register replica", reason: "row vanished")
            }
            return try Self.replica(row)
        }
    }

    public func heartbeat(id: String, appliedSeq: Int64, appliedAt: Timestamp?, state: ReplicaState, resyncs: Int) async throws {
        try await writeTransaction("replica heartbeat") { db in
            try db.execute(
                sql: """
                    UPDATE replicas SET heartbeat_at = \(Self.nowSQL), applied_seq = ?,
                        applied_at = COALESCE(?, applied_at), status = ?, resyncs = ?
                    WHERE replica_id = ?
                    """,
                arguments: [appliedSeq, appliedAt?.microseconds, state.rawValue, resyncs, id])
        }
    }

    public func replicas() async throws -> [ReplicaRecord] {
        let gatewayId = self.gatewayId
        return try await readSnapshot("list replicas") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM replicas WHERE gateway_id = ? ORDER BY replica_id", arguments: [gatewayId])
                .map(Self.replica)
        }
    }

    public func recordLagSample(_ sample: LagSample, keepAfter: Timestamp) async throws {
        try await writeTransaction("record lag sample") { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO lag_samples(replica_id, sampled_at, head_seq, applied_seq, lag_seconds)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [sample.replicaId, sample.sampledAt.microseconds, sample.headSeq, sample.appliedSeq, sample.lagSeconds])
            try db.execute(
                sql: "DELETE FROM lag_samples WHERE replica_id = ? AND sampled_at < ?",
                arguments: [sample.replicaId, keepAfter.microseconds])
        }
    }

    public func lagSamples(since: Timestamp) async throws -> [LagSample] {
        try await readSnapshot("read lag samples") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM lag_samples WHERE sampled_at >= ? ORDER BY replica_id, sampled_at",
                arguments: [since.microseconds]
            ).map { row in
                LagSample(
                    replicaId: row["replica_id"], sampledAt: Timestamp(microseconds: row["sampled_at"]),
                    headSeq: row["head_seq"], appliedSeq: row["applied_seq"], lagSeconds: row["lag_seconds"])
            }
        }
    }

    public func removeReplica(id: String) async throws {
        try await writeTransaction("remove replica") { db in
            try db.execute(sql: "DELETE FROM replicas WHERE replica_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM lag_samples WHERE replica_id = ?", arguments: [id])
        }
    }
}
