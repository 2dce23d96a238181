import Foundation
internal import GRDB

extension SQLiteStore: SyncRunLog {
    public func beginSyncRun(
        trigger: SyncTrigger, requestedBy: String, holder: SyncLeaseHolder, ttl: Duration
    ) async throws -> SyncStart {
        let gatewayId = self.gatewayId
        let ttlMicros = ttl.microseconds
        return try await writeTransaction("begin sync run") { db in
            let now = try Int64.fetchOne(db, sql: "SELECT \(Self.nowSQL)") ?? 0
            if let lease = try Row.fetchOne(db, sql: "SELECT * FROM sync_lease WHERE gateway_id = ?", arguments: [gatewayId]) {
                let expires: Int64 = lease["expires_at"]
                let host: String = lease["host"]
                let pid: Int32 = lease["pid"]
                let runId: Int64? = lease["run_id"]
                let holderDead = host == holder.host && !ProcessProbe.isAlive(pid)
                if expires > now && !holderDead {
                    return .busy(holder: "\(host.split(separator: "/").first ?? "?") pid \(pid)", runId: runId)
                }
                if let runId {
                    try db.execute(
                        sql: """
                            UPDATE sync_runs SET outcome = 'abandoned', finished_at = ? WHERE id = ? AND outcome = 'running'
                            """,
                        arguments: [now, runId])
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO sync_runs(gateway_id, trigger, requested_by, phase, outcome, started_at, counters, errors)
                    VALUES (?, ?, ?, 'listing', 'running', ?, ?, '[]')
                    """,
                arguments: [gatewayId, trigger.rawValue, requestedBy, now, StoredValue.json(SyncCounters())])
            let runId = db.lastInsertedRowID
            try db.execute(
                sql: """
                    INSERT INTO sync_lease(gateway_id, holder, host, pid, run_id, expires_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(gateway_id) DO UPDATE SET holder = excluded.holder, host = excluded.host,
                        pid = excluded.pid, run_id = excluded.run_id, expires_at = excluded.expires_at
                    """,
                arguments: [gatewayId, holder.token, holder.host, holder.pid, runId, now + ttlMicros])
            return .started(runId: runId)
        }
    }

    public func renewSyncLease(holder: SyncLeaseHolder, ttl: Duration) async throws -> Bool {
        let gatewayId = self.gatewayId
        let ttlMicros = ttl.microseconds
        return try await writeTransaction("renew sync lease") { db in
            try db.execute(
                sql: "UPDATE sync_lease SET expires_at = \(Self.nowSQL) + ? WHERE gateway_id = ? AND holder = ?",
                arguments: [ttlMicros, gatewayId, holder.token])
            return db.changesCount == 1
        }
    }

    public func updateSyncRun(id: Int64, phase: SyncPhase, counters: SyncCounters, errors: [String]) async throws {
        try await writeTransaction("update sync run") { db in
            try db.execute(
                sql: "UPDATE sync_runs SET phase = ?, counters = ?, errors = ? WHERE id = ?",
                arguments: [phase.rawValue, StoredValue.json(counters), StoredValue.json(errors), id])
            // (A run already closed as abandoned keeps that outcome: see finishSyncRun.)
        }
    }

    public func finishSyncRun(
        id: Int64, outcome: SyncOutcome, counters: SyncCounters, errors: [String], holder: SyncLeaseHolder
    ) async throws {
        let gatewayId = self.gatewayId
        try await writeTransaction("finish sync run") { db in
            try db.execute(
                sql: """
                    UPDATE sync_runs SET phase = 'done', outcome = ?, counters = ?, errors = ?, finished_at = \(Self.nowSQL)
                    WHERE id = ? AND outcome = 'running'
                    """,
                arguments: [outcome.rawValue, StoredValue.json(counters), StoredValue.json(errors), id])
            try db.execute(
                sql: "DELETE FROM sync_lease WHERE gateway_id = ? AND holder = ?", arguments: [gatewayId, holder.token])
        }
    }

    public func breakSyncLease() async throws -> Bool {
        let gatewayId = self.gatewayId
        return try await writeTransaction("break sync lease") { db in
            try db.execute(sql: "DELETE FROM sync_lease WHERE gateway_id = ?", arguments: [gatewayId])
            return db.changesCount == 1
        }
    }

    public func syncRuns(limit: Int) async throws -> [SyncRunRecord] {
        let gatewayId = self.gatewayId
        return try await readSnapshot("list sync runs") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM sync_runs WHERE gateway_id = ? ORDER BY id DESC LIMIT ?", arguments: [gatewayId, limit]
            ).map(Self.syncRun)
        }
    }

    public func syncRun(id: Int64) async throws -> SyncRunRecord? {
        try await readSnapshot("read sync run") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sync_runs WHERE id = ?", arguments: [id]).map(Self.syncRun)
        }
    }

    static func syncRun(_ row: Row) throws -> SyncRunRecord {
        let id: Int64 = row["id"]
        let key = "id \(id)"
        let counters = try StoredValue.decodeJSON(row["counters"], as: SyncCounters.self, column: "counters", table: "sync_runs", key: key)
        let errors = try StoredValue.decodeJSON(row["errors"], as: [String].self, column: "errors", table: "sync_runs", key: key)
        return SyncRunRecord(
            id: id, gatewayId: row["gateway_id"],
            trigger: try StoredValue.decode(row["trigger"], as: SyncTrigger.self, column: "trigger", table: "sync_runs", key: key),
            requestedBy: row["requested_by"],
            phase: try StoredValue.decode(row["phase"], as: SyncPhase.self, column: "phase", table: "sync_runs", key: key),
            outcome: try StoredValue.decode(row["outcome"], as: SyncOutcome.self, column: "outcome", table: "sync_runs", key: key),
            startedAt: Timestamp(microseconds: row["started_at"]),
            finishedAt: Timestamp(column: row["finished_at"]), counters: counters, errors: errors)
    }
}
