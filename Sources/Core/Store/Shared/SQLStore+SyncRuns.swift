extension SQLStore {
    public func beginSyncRun(trigger: SyncTrigger, requestedBy: String, holder: SyncLeaseHolder, ttl: Duration) async throws -> SyncStart {
        let gatewayId = self.gatewayId
        return try await write("begin sync run") { s in
            // A lease row always exists once asked for: its lock makes begin and takeover one
            // decision across processes and hosts.
            try await s.execute(
                """
                INSERT INTO sync_lease(gateway_id, holder, host, pid, run_id, expires_at)
                VALUES (\(gatewayId), '', '', 0, NULL, \(time: Timestamp(microseconds: 0))) ON CONFLICT (gateway_id) DO NOTHING
                """)
            let now = try await Self.databaseNow(s)
            let lease = try await s.first(
                "SELECT holder, host, pid, run_id, \(SQL.micros("expires_at")) FROM sync_lease WHERE gateway_id = \(gatewayId) \(SQL.forUpdate)",
                table: "sync_lease"
            ) { r in
                SyncLease.Row(
                    holder: try r.text(0), host: try r.text(1), pid: Int32(truncatingIfNeeded: try r.int64(2)), runId: try r.optionalInt64(3),
                    expiresAt: try r.time(4))
            }
            switch SyncLease.decide(lease, now: now, claimantHost: holder.host, isAlive: ProcessProbe.isAlive) {
            case .busy(let who, let runId):
                return .busy(holder: who, runId: runId)
            case .take(let abandoned):
                if let abandoned {
                    try await s.execute(
                        "UPDATE sync_runs SET outcome = 'abandoned', finished_at = \(SQL.now) WHERE id = \(abandoned) AND outcome = 'running'")
                }
            }
            guard let runId = try await s.int64(
                """
                INSERT INTO sync_runs(gateway_id, trigger, requested_by, phase, outcome, started_at, counters, errors)
                VALUES (\(gatewayId), \(trigger), \(requestedBy), 'listing', 'running', \(SQL.now), \(StoredValue.json(SyncCounters())), '[]')
                RETURNING id
                """, table: "sync_runs")
            else { throw StorageError.query(operation: "begin sync run", reason: "the new run has no id") }
            try await s.execute(
                """
                UPDATE sync_lease SET holder = \(holder.token), host = \(holder.host), pid = \(Int(holder.pid)), run_id = \(runId),
                    expires_at = \(time: Timestamp(microseconds: now.microseconds + ttl.microseconds))
                WHERE gateway_id = \(gatewayId)
                """)
            return .started(runId: runId)
        }
    }

    public func renewSyncLease(holder: SyncLeaseHolder, ttl: Duration) async throws -> Bool {
        let gatewayId = self.gatewayId
        return try await write("renew sync lease") { s in
            let expires = Timestamp(microseconds: try await Self.databaseNow(s).microseconds + ttl.microseconds)
            return try await s.changes(
                "UPDATE sync_lease SET expires_at = \(time: expires) WHERE gateway_id = \(gatewayId) AND holder = \(holder.token)") > 0
        }
    }

    public func updateSyncRun(id: Int64, phase: SyncPhase, counters: SyncCounters, errors: [String]) async throws {
        // A run already closed as abandoned keeps that outcome: see finishSyncRun.
        try await autocommit(
            "update sync run",
            "UPDATE sync_runs SET phase = \(phase), counters = \(StoredValue.json(counters)), errors = \(StoredValue.json(errors)) WHERE id = \(id)")
    }

    public func finishSyncRun(id: Int64, outcome: SyncOutcome, counters: SyncCounters, errors: [String], holder: SyncLeaseHolder) async throws {
        let gatewayId = self.gatewayId
        try await write("finish sync run") { s in
            try await s.execute(
                """
                UPDATE sync_runs SET phase = 'done', outcome = \(outcome), counters = \(StoredValue.json(counters)),
                    errors = \(StoredValue.json(errors)), finished_at = \(SQL.now)
                WHERE id = \(id) AND outcome = 'running'
                """)
            try await s.execute("\(Self.freeLease) WHERE gateway_id = \(gatewayId) AND holder = \(holder.token)")
        }
    }

    public func breakSyncLease() async throws -> Bool {
        let gatewayId = self.gatewayId
        return try await write("break sync lease") { s in
            try await s.changes("\(Self.freeLease) WHERE gateway_id = \(gatewayId) AND holder <> ''") > 0
        }
    }

    private static var freeLease: SQL { "UPDATE sync_lease SET holder = '', run_id = NULL, expires_at = \(time: Timestamp(microseconds: 0))" }

    static func databaseNow(_ s: any StoreSession) async throws -> Timestamp {
        Timestamp(microseconds: try await s.int64("SELECT \(SQL.nowMicros)", table: "clock") ?? 0)
    }

    static var runColumns: SQL {
        "id, gateway_id, trigger, requested_by, phase, outcome, \(SQL.micros("started_at")), \(SQL.micros("finished_at")), counters, errors"
    }

    static func syncRun(_ r: StoreRow) throws -> SyncRunRecord {
        let id = try r.int64(0)
        let key = "id \(id)"
        return SyncRunRecord(
            id: id, gatewayId: try r.text(1), trigger: try r.word(2, as: SyncTrigger.self, column: "trigger", key: key),
            requestedBy: try r.text(3), phase: try r.word(4, as: SyncPhase.self, column: "phase", key: key),
            outcome: try r.word(5, as: SyncOutcome.self, column: "outcome", key: key), startedAt: try r.time(6),
            finishedAt: try r.optionalTime(7),
            counters: try StoredValue.decodeJSON(try r.text(8), as: SyncCounters.self, column: "counters", table: "sync_runs", key: key),
            errors: try StoredValue.decodeJSON(try r.text(9), as: [String].self, column: "errors", table: "sync_runs", key: key))
    }

    public func syncRuns(limit: Int) async throws -> [SyncRunRecord] {
        let gatewayId = self.gatewayId
        return try await read("list sync runs") { s in try await Self.syncRuns(gatewayId: gatewayId, limit: limit, s) }
    }

    static func syncRuns(gatewayId: String, limit: Int, _ s: any StoreSession) async throws -> [SyncRunRecord] {
        try await s.rows(
            "SELECT \(Self.runColumns) FROM sync_runs WHERE gateway_id = \(gatewayId) ORDER BY id DESC LIMIT \(limit)",
            table: "sync_runs", Self.syncRun)
    }

    public func syncRun(id: Int64) async throws -> SyncRunRecord? {
        try await read("read sync run") { s in
            try await s.first("SELECT \(Self.runColumns) FROM sync_runs WHERE id = \(id)", table: "sync_runs", Self.syncRun)
        }
    }
}
