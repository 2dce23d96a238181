extension SQLStore {
    static var replicaColumns: SQL {
        """
        replica_id, gateway_id, host, pid, \(SQL.micros("started_at")), \(SQL.micros("heartbeat_at")), applied_seq,
        \(SQL.micros("applied_at")), status, resyncs
        """
    }

    static func replica(_ r: StoreRow) throws -> ReplicaRecord {
        let id = try r.text(0)
        return ReplicaRecord(
            replicaId: id, gatewayId: try r.text(1), host: try r.text(2), pid: Int32(truncatingIfNeeded: try r.int64(3)),
            startedAt: try r.time(4), heartbeatAt: try r.time(5), appliedSeq: try r.int64(6), appliedAt: try r.optionalTime(7),
            state: try r.word(8, as: ReplicaState.self, column: "status", key: id), resyncs: try r.int(9))
    }

    public func registerReplica(id: String, host: String, pid: Int32) async throws -> ReplicaRecord {
        let gatewayId = self.gatewayId
        return try await write("register replica") { s in
            guard let record = try await s.first(
                """
                INSERT INTO replicas(replica_id, gateway_id, host, pid, started_at, heartbeat_at, applied_seq, applied_at, status, resyncs)
                VALUES (\(id), \(gatewayId), \(host), \(Int(pid)), \(SQL.now), \(SQL.now), 0, NULL, 'starting', 0)
                ON CONFLICT (replica_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
                    heartbeat_at = excluded.heartbeat_at, status = 'starting'
                RETURNING \(Self.replicaColumns)
                """, table: "replicas", Self.replica)
            else { throw StorageError.query(operation: "register replica", reason: "row vanished") }
            return record
        }
    }

    public func heartbeat(id: String, appliedSeq: Int64, appliedAt: Timestamp?, state: ReplicaState, resyncs: Int) async throws {
        try await autocommit(
            "replica heartbeat",
            """
            UPDATE replicas SET heartbeat_at = \(SQL.now), applied_seq = \(appliedSeq), applied_at = COALESCE(\(time: appliedAt), applied_at),
                status = \(state), resyncs = \(resyncs)
            WHERE replica_id = \(id)
            """)
    }

    public func replicas() async throws -> [ReplicaRecord] {
        let gatewayId = self.gatewayId
        return try await read("list replicas") { s in try await Self.replicas(gatewayId: gatewayId, s) }
    }

    static func replicas(gatewayId: String, _ s: any StoreSession) async throws -> [ReplicaRecord] {
        try await s.rows(
            "SELECT \(Self.replicaColumns) FROM replicas WHERE gateway_id = \(gatewayId) ORDER BY replica_id", table: "replicas", Self.replica)
    }

    public func recordLagSample(_ sample: LagSample, keepAfter: Timestamp) async throws {
        try await write("record lag sample") { s in
            try await s.execute(
                """
                INSERT INTO lag_samples(replica_id, sampled_at, head_seq, applied_seq, lag_seconds)
                VALUES (\(sample.replicaId), \(time: sample.sampledAt), \(sample.headSeq), \(sample.appliedSeq), \(sample.lagSeconds))
                ON CONFLICT (replica_id, sampled_at) DO UPDATE SET head_seq = excluded.head_seq,
                    applied_seq = excluded.applied_seq, lag_seconds = excluded.lag_seconds
                """)
            try await s.execute("DELETE FROM lag_samples WHERE replica_id = \(sample.replicaId) AND sampled_at < \(time: keepAfter)")
        }
    }

    public func lagSamples(since: Timestamp) async throws -> [LagSample] {
        try await read("read lag samples") { s in try await Self.lagSamples(since: since, s) }
    }

    static func lagSamples(since: Timestamp, _ s: any StoreSession) async throws -> [LagSample] {
        try await s.rows(
            """
            SELECT replica_id, \(SQL.micros("sampled_at")), head_seq, applied_seq, lag_seconds FROM lag_samples
            WHERE sampled_at >= \(time: since) ORDER BY replica_id, sampled_at
            """, table: "lag_samples"
        ) { r in
            LagSample(
                replicaId: try r.text(0), sampledAt: try r.time(1), headSeq: try r.int64(2), appliedSeq: try r.int64(3),
                lagSeconds: try r.double(4))
        }
    }

    public func removeReplica(id: String) async throws {
        try await write("remove replica") { s in
            try await s.execute("DELETE FROM replicas WHERE replica_id = \(id)")
            try await s.execute("DELETE FROM lag_samples WHERE replica_id = \(id)")
        }
    }
}
