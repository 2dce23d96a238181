import Foundation
internal import PostgresNIO

extension PostgresStore: SyncRunLog {
    public func beginSyncRun(trigger: SyncTrigger, requestedBy: String, holder: SyncLeaseHolder, ttl: Duration) async throws -> SyncStart {
        let ttlMicros = ttl.microseconds
        return try await transaction("begin sync run") { conn in
            // The lease row's lock makes begin/takeover one decision across hosts.
            try await conn.checkedQuery(
                "INSERT INTO sync_lease(gateway_id, holder, host, pid, run_id, expires_at) VALUES (\(gatewayId), '', '', 0, NULL, 'epoch') ON CONFLICT (gateway_id) DO NOTHING",
                logger: logger)
            for try await (holderToken, host, pid, runId, expired) in try await conn.checkedQuery(
                "SELECT holder, host, pid, run_id, expires_at <= clock_timestamp() FROM sync_lease WHERE gateway_id = \(gatewayId) FOR UPDATE",
                logger: logger
            ).decode((String, String, Int32, Int64?, Bool).self) {
                let free = holderToken.isEmpty || expired || (host == holder.host && !ProcessProbe.isAlive(pid))
                if !free { return .busy(holder: "\(host.split(separator: "/").first ?? "?") pid \(pid)", runId: runId) }
                if let runId {
                    try await conn.checkedQuery(
                        "UPDATE sync_runs SET outcome = 'abandoned', finished_at = clock_timestamp() WHERE id = \(runId) AND outcome = 'running'",
                        logger: logger)
                }
            }
            let counters = StoredValue.json(SyncCounters())
            var newId: Int64 = 0
            for try await id in try await conn.checkedQuery(
                """
                INSERT INTO sync_runs(gateway_id, trigger, requested_by, phase, outcome, started_at, counters, errors)
                VALUES (\(gatewayId), \(trigger.rawValue), \(requestedBy), 'listing', 'running', clock_timestamp(), \(counters), '[]')
                RETURNING id
                """, logger: logger
            ).decode(Int64.self) { newId = id }
            try await conn.checkedQuery(
                """
                UPDATE sync_lease SET holder = \(holder.token), host = \(holder.host), pid = \(holder.pid), run_id = \(newId),
                    expires_at = clock_timestamp() + \(ttlMicros)::bigint * interval '1 microsecond'
                WHERE gateway_id = \(gatewayId)
                """, logger: logger)
            return .started(runId: newId)
        }
    }

    public func renewSyncLease(holder: SyncLeaseHolder, ttl: Duration) async throws -> Bool {
        let ttlMicros = ttl.microseconds
        return try await transaction("renew sync lease") { conn in
            var renewed = false
            for try await _ in try await conn.checkedQuery(
                """
                UPDATE sync_lease SET expires_at = clock_timestamp() + \(ttlMicros)::bigint * interval '1 microsecond'
                WHERE gateway_id = \(gatewayId) AND holder = \(holder.token) RETURNING 1
                """, logger: logger
            ).decode(Int32.self) { renewed = true }
            return renewed
        }
    }

    public func updateSyncRun(id: Int64, phase: SyncPhase, counters: SyncCounters, errors: [String]) async throws {
        try await transaction("update sync run") { conn in
            try await conn.checkedQuery(
                """
                UPDATE sync_runs SET phase = \(phase.rawValue), counters = \(StoredValue.json(counters)), errors = \(StoredValue.json(errors))
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    public func finishSyncRun(id: Int64, outcome: SyncOutcome, counters: SyncCounters, errors: [String], holder: SyncLeaseHolder) async throws {
        try await transaction("finish sync run") { conn in
            try await conn.checkedQuery(
                """
                UPDATE sync_runs SET phase = 'done', outcome = \(outcome.rawValue), counters = \(StoredValue.json(counters)),
                    errors = \(StoredValue.json(errors)), finished_at = clock_timestamp()
                WHERE id = \(id) AND outcome = 'running'
                """, logger: logger)
            try await conn.checkedQuery(
                "UPDATE sync_lease SET holder = '', run_id = NULL, expires_at = 'epoch' WHERE gateway_id = \(gatewayId) AND holder = \(holder.token)",
                logger: logger)
        }
    }

    public func breakSyncLease() async throws -> Bool {
        try await transaction("break sync lease") { conn in
            var broke = false
            for try await _ in try await conn.checkedQuery(
                "UPDATE sync_lease SET holder = '', run_id = NULL, expires_at = 'epoch' WHERE gateway_id = \(gatewayId) AND holder <> '' RETURNING 1",
                logger: logger
            ).decode(Int32.self) { broke = true }
            return broke
        }
    }

    static let runColumns = """
        id, gateway_id, trigger, requested_by, phase, outcome, \(PG.micros("started_at")), \(PG.micros("finished_at")), counters, errors
        """

    static func decodeRuns(_ rows: PostgresRowSequence) async throws -> [SyncRunRecord] {
        var result: [SyncRunRecord] = []
        for try await (id, g, trigger, by, phase, outcome, started, finished, counters, errors) in rows.decode(
            (Int64, String, String, String, String, String, Int64, Int64?, String, String).self)
        {
            let key = "id \(id)"
            result.append(SyncRunRecord(
                id: id, gatewayId: g, trigger: try StoredValue.decode(trigger, as: SyncTrigger.self, column: "trigger", table: "sync_runs", key: key),
                requestedBy: by, phase: try StoredValue.decode(phase, as: SyncPhase.self, column: "phase", table: "sync_runs", key: key),
                outcome: try StoredValue.decode(outcome, as: SyncOutcome.self, column: "outcome", table: "sync_runs", key: key),
                startedAt: Timestamp(microseconds: started), finishedAt: finished.map { Timestamp(microseconds: $0) },
                counters: try StoredValue.decodeJSON(counters, as: SyncCounters.self, column: "counters", table: "sync_runs", key: key),
                errors: try StoredValue.decodeJSON(errors, as: [String].self, column: "errors", table: "sync_runs", key: key)))
        }
        return result
    }

    public func syncRuns(limit: Int) async throws -> [SyncRunRecord] {
        try await reading("list sync runs") { conn in
            try await Self.decodeRuns(try await conn.checkedQuery(
                "SELECT \(unescaped: Self.runColumns) FROM sync_runs WHERE gateway_id = \(gatewayId) ORDER BY id DESC LIMIT \(Int64(limit))",
                logger: logger))
        }
    }

    public func syncRun(id: Int64) async throws -> SyncRunRecord? {
        try await reading("read sync run") { conn in
            try await Self.decodeRuns(try await conn.checkedQuery(
                "SELECT \(unescaped: Self.runColumns) FROM sync_runs WHERE id = \(id)", logger: logger)).first
        }
    }
}
