internal import PostgresNIO

extension PostgresStore: ReplicaRegistry {
    static let replicaColumns = """
        replica_id, gateway_id, host, pid, \(PG.micros("started_at")), \(PG.micros("heartbeat_at")), applied_seq,
        \(PG.micros("applied_at")), status, resyncs
        """

    static func decodeReplicas(_ rows: PostgresRowSequence) async throws -> [ReplicaRecord] {
        var result: [ReplicaRecord] = []
        for try await (id, g, host, pid, started, beat, applied, appliedAt, status, resyncs) in rows.decode(
            (String, String, String, Int32, Int64, Int64, Int64, Int64?, String, Int32).self)
        {
            result.append(ReplicaRecord(
                replicaId: id, gatewayId: g, host: host, pid: pid, startedAt: Timestamp(microseconds: started),
                heartbeatAt: Timestamp(microseconds: beat), appliedSeq: applied, appliedAt: appliedAt.map { Timestamp(microseconds: $0) },
                state: try StoredValue.decode(status, as: ReplicaState.self, column: "status", table: "replicas", key: id), resyncs: Int(resyncs)))
        }
        return result
    }

    public func registerReplica(id: String, host: String, pid: Int32) async throws -> ReplicaRecord {
        try await transaction("register replica") { conn in
            let rows = try await conn.checkedQuery(
                """
                INSERT INTO replicas(replica_id, gateway_id, host, pid, started_at, heartbeat_at, applied_seq, applied_at, status, resyncs)
                VALUES (\(id), \(gatewayId), \(host), \(pid), clock_timestamp(), clock_timestamp(), 0, NULL, 'starting', 0)
                ON CONFLICT (replica_id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, started_at = EXCLUDED.started_at,
                    heartbeat_at = EXCLUDED.heartbeat_at, status = 'starting'
                RETURNING \(unescaped: Self.replicaColumns)
                """, logger: logger)
            guard let record = try await Self.decodeReplicas(rows).first else {
                throw StorageError.query(operation: "register replica", reason: "row vanished")
            }
            return record
        }
    }

    public func heartbeat(id: String, appliedSeq: Int64, appliedAt: Timestamp?, state: ReplicaState, resyncs: Int) async throws {
        // One statement, so no transaction around it: a round trip per applied batch matters.
        try await reading("replica heartbeat") { conn in
            let at = appliedAt?.microseconds
            try await conn.checkedQuery(
                """
                UPDATE replicas SET heartbeat_at = clock_timestamp(), applied_seq = \(appliedSeq),
                    applied_at = COALESCE(timestamptz 'epoch' + \(at)::bigint * interval '1 microsecond', applied_at),
                    status = \(state.rawValue), resyncs = \(Int32(resyncs))
                WHERE replica_id = \(id)
                """, logger: logger)
        }
    }

    public func replicas() async throws -> [ReplicaRecord] {
        try await reading("list replicas") { conn in
            try await Self.decodeReplicas(try await conn.checkedQuery(
                "SELECT \(unescaped: Self.replicaColumns) FROM replicas WHERE gateway_id = \(gatewayId) ORDER BY replica_id", logger: logger))
        }
    }

    public func recordLagSample(_ s: LagSample, keepAfter: Timestamp) async throws {
        try await transaction("record lag sample") { conn in
            try await conn.checkedQuery(
                """
                INSERT INTO lag_samples(replica_id, sampled_at, head_seq, applied_seq, lag_seconds)
                VALUES (\(s.replicaId), timestamptz 'epoch' + \(s.sampledAt.microseconds)::bigint * interval '1 microsecond',
                        \(s.headSeq), \(s.appliedSeq), \(s.lagSeconds))
                ON CONFLICT (replica_id, sampled_at) DO UPDATE SET head_seq = EXCLUDED.head_seq,
                    applied_seq = EXCLUDED.applied_seq, lag_seconds = EXCLUDED.lag_seconds
                """, logger: logger)
            try await conn.checkedQuery(
                """
                DELETE FROM lag_samples WHERE replica_id = \(s.replicaId)
                  AND sampled_at < timestamptz 'epoch' + \(keepAfter.microseconds)::bigint * interval '1 microsecond'
                """, logger: logger)
        }
    }

    public func lagSamples(since: Timestamp) async throws -> [LagSample] {
        try await reading("read lag samples") { conn in
            var result: [LagSample] = []
            for try await (id, at, head, applied, lag) in try await conn.checkedQuery(
                """
                SELECT replica_id, \(unescaped: PG.micros("sampled_at")), head_seq, applied_seq, lag_seconds FROM lag_samples
                WHERE sampled_at >= timestamptz 'epoch' + \(since.microseconds)::bigint * interval '1 microsecond'
                ORDER BY replica_id, sampled_at
                """, logger: logger
            ).decode((String, Int64, Int64, Int64, Double).self) {
                result.append(LagSample(replicaId: id, sampledAt: Timestamp(microseconds: at), headSeq: head, appliedSeq: applied, lagSeconds: lag))
            }
            return result
        }
    }

    public func removeReplica(id: String) async throws {
        try await transaction("remove replica") { conn in
            try await conn.checkedQuery("DELETE FROM replicas WHERE replica_id = \(id)", logger: logger)
            try await conn.checkedQuery("DELETE FROM lag_samples WHERE replica_id = \(id)", logger: logger)
        }
    }
}
