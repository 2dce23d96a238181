internal import GRDB

extension SQLiteStore: ReviewStore {
    static func review(_ row: Row) throws -> OrphanReview {
        let id: Int64 = row["id"]
        let key = "id \(id)"
        let kind = try StoredValue.decode(row["kind"], as: ArtifactKind.self, column: "kind", table: "orphan_reviews", key: key)
        let verdict = try StoredValue.decode(row["verdict"], as: OrphanVerdict.self, column: "verdict", table: "orphan_reviews", key: key)
        let status = try StoredValue.decode(row["status"], as: ReviewStatus.self, column: "status", table: "orphan_reviews", key: key)
        return OrphanReview(
            id: id, artifactUUID: row["artifact_uuid"], kind: kind, handle: row["handle"],
            rowVersion: RowVersion(deploymentId: row["deployment_id"], deployedAt: Timestamp(column: row["deployed_at"])),
            verdict: verdict, status: status, apiKeys: row["api_keys"], subscriptions: row["subscriptions"],
            detectedRun: row["detected_run"], detectedAt: Timestamp(microseconds: row["detected_at"]), reason: row["reason"],
            decidedBy: row["decided_by"], decidedFrom: row["decided_from"], decidedAt: Timestamp(column: row["decided_at"]),
            updatedAt: Timestamp(microseconds: row["updated_at"]))
    }

    static func latestReview(_ db: Database, uuid: String) throws -> OrphanReview? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM orphan_reviews WHERE artifact_uuid = ? ORDER BY id DESC LIMIT 1", arguments: [uuid]
        ).map(review)
    }

    public func recordOrphan(
        _ candidate: ArtifactSummary, verdict: OrphanVerdict, reason: String?, runId: Int64?,
        decide: @escaping @Sendable (OrphanReview?, RowVersion, OrphanVerdict) -> ReviewAction
    ) async throws -> OrphanReview? {
        let gatewayId = self.gatewayId
        return try await writeTransaction("record orphan") { db in
            // Read the row as it is now: the candidate came from an earlier snapshot.
            guard let current = try Self.fetchSummary(db, uuid: candidate.uuid), current.rowVersion == candidate.rowVersion else {
                return nil
            }
            let latest = try Self.latestReview(db, uuid: candidate.uuid)
            let action = decide(latest, current.rowVersion, verdict)
            let counts = try Self.dependents(of: candidate.uuid, db)
            var reviewId: Int64
            switch action {
            case .keep:
                return latest
            case .update(let id, let newVerdict, let status):
                try db.execute(
                    sql: """
                        UPDATE orphan_reviews SET verdict = ?, status = ?, reason = ?, api_keys = ?, subscriptions = ?,
                            updated_at = \(Self.nowSQL) WHERE id = ?
                        """,
                    arguments: [newVerdict.rawValue, status.rawValue, reason, counts.apiKeys, counts.subscriptions, id])
                reviewId = id
            case .insert(let newVerdict, let status, let supersede):
                if let supersede {
                    try db.execute(
                        sql: "UPDATE orphan_reviews SET status = 'superseded', updated_at = \(Self.nowSQL) WHERE id = ?",
                        arguments: [supersede])
                }
                try db.execute(
                    sql: """
                        INSERT INTO orphan_reviews(artifact_uuid, kind, handle, deployment_id, deployed_at, verdict, status,
                            api_keys, subscriptions, detected_run, detected_at, reason, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(Self.nowSQL), ?, \(Self.nowSQL))
                        """,
                    arguments: [
                        current.uuid, current.kind.rawValue, current.handle, current.deploymentId,
                        current.deployedAt?.microseconds, newVerdict.rawValue, status.rawValue, counts.apiKeys,
                        counts.subscriptions, runId, reason,
                    ])
                reviewId = db.lastInsertedRowID
            }
            if action.resultingStatus == .retained {
                _ = try Self.conditionalRetain(uuid: current.uuid, expected: current.rowVersion, gatewayId: gatewayId, db)
            }
            return try Row.fetchOne(db, sql: "SELECT * FROM orphan_reviews WHERE id = ?", arguments: [reviewId]).map(Self.review)
        }
    }

    public func supersedeReviews(artifactIds: Set<String>) async throws -> Int {
        try await writeTransaction("supersede reviews") { db in
            let open = try Row.fetchAll(
                db, sql: "SELECT id, artifact_uuid FROM orphan_reviews WHERE status IN ('pending', 'approved', 'retained')")
            var count = 0
            for row in open where artifactIds.contains(row["artifact_uuid"]) {
                try db.execute(
                    sql: "UPDATE orphan_reviews SET status = 'superseded', updated_at = \(Self.nowSQL) WHERE id = ?",
                    arguments: [row["id"] as Int64])
                count += 1
            }
            return count
        }
    }

    public func decide(reviewId: Int64, decision: ReviewDecision, actor: Actor, allowUnverified: Bool) async throws -> DecisionResult {
        let gatewayId = self.gatewayId
        return try await writeTransaction("decide review") { db in
            guard let review = try Row.fetchOne(db, sql: "SELECT * FROM orphan_reviews WHERE id = ?", arguments: [reviewId])
                .map(Self.review)
            else {
                return .refused("review \(reviewId) does not exist")
            }
            let result: DecisionResult
            switch ReviewRules.check(decision, on: review, allowUnverified: allowUnverified) {
            case .some(let refusal):
                result = .refused(refusal)
            case .none:
                result = try Self.carryOut(decision, on: review, actor: actor, gatewayId: gatewayId, db)
            }
            try Self.appendAudit(
                db, actor: actor, action: "review.\(decision.rawValue)",
                target: "review \(reviewId) \(review.kind.rawValue) \(review.handle) (\(review.artifactUUID))",
                outcome: result.auditWord, detail: result.auditDetail)
            return result
        }
    }

    static func carryOut(
        _ decision: ReviewDecision, on review: OrphanReview, actor: Actor, gatewayId: String, _ db: Database
    ) throws -> DecisionResult {
        func setStatus(_ status: ReviewStatus) throws {
            try db.execute(
                sql: """
                    UPDATE orphan_reviews SET status = ?, decided_by = ?, decided_from = ?, decided_at = \(nowSQL),
                        updated_at = \(nowSQL) WHERE id = ?
                    """,
                arguments: [status.rawValue, actor.user, actor.clientAddress, review.id])
        }
        switch decision {
        case .reject:
            try setStatus(.rejected)
            return .rejected
        case .confirmRetention:
            try setStatus(.retentionConfirmed)
            return .retentionConfirmed
        case .approve:
            if let removed = try conditionalDelete(
                uuid: review.artifactUUID, expected: review.rowVersion,
                allowed: Dependents(apiKeys: review.apiKeys, subscriptions: review.subscriptions), gatewayId: gatewayId, db)
            {
                try setStatus(.deleted)
                return .deleted(removed)
            }
            try setStatus(.superseded)
            return .superseded
        }
    }

    public func review(id: Int64) async throws -> OrphanReview? {
        try await readSnapshot("read review") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM orphan_reviews WHERE id = ?", arguments: [id]).map(Self.review)
        }
    }

    public func reviews(statuses: [ReviewStatus], limit: Int) async throws -> [OrphanReview] {
        try await readSnapshot("list reviews") { db in
            let marks = statuses.map { _ in "?" }.joined(separator: ", ")
            var arguments = StatementArguments(statuses.map(\.rawValue))
            arguments += [limit]
            return try Row.fetchAll(
                db, sql: "SELECT * FROM orphan_reviews WHERE status IN (\(marks)) ORDER BY id DESC LIMIT ?",
                arguments: arguments
            ).map(Self.review)
        }
    }

    public func reviewHistory(artifactUUID: String) async throws -> [OrphanReview] {
        try await readSnapshot("read review history") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM orphan_reviews WHERE artifact_uuid = ? ORDER BY id DESC", arguments: [artifactUUID]
            ).map(Self.review)
        }
    }
}

extension SQLiteStore: AuditLog {
    static func appendAudit(_ db: Database, actor: Actor, action: String, target: String, outcome: String, detail: String?) throws {
        try db.execute(
            sql: """
                INSERT INTO audit_log(at, actor, client_address, peer, action, target, outcome, detail)
                VALUES (\(nowSQL), ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [actor.user, actor.clientAddress, actor.peer, action, target, outcome, detail])
    }

    public func appendAudit(actor: Actor, action: String, target: String, outcome: String, detail: String?) async throws {
        try await writeTransaction("append audit") { db in
            try Self.appendAudit(db, actor: actor, action: action, target: target, outcome: outcome, detail: detail)
        }
    }

    public func auditEntries(limit: Int) async throws -> [AuditEntry] {
        try await readSnapshot("read audit log") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                AuditEntry(
                    id: row["id"], at: Timestamp(microseconds: row["at"]),
                    actor: Actor(user: row["actor"], clientAddress: row["client_address"], peer: row["peer"]), action: row["action"],
                    target: row["target"], outcome: row["outcome"], detail: row["detail"])
            }
        }
    }
}
