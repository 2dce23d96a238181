extension SQLStore {
    static var reviewColumns: SQL {
        """
        id, artifact_uuid, kind, handle, deployment_id, \(SQL.micros("deployed_at")), verdict, status, api_keys, subscriptions,
        detected_run, \(SQL.micros("detected_at")), reason, decided_by, decided_from, \(SQL.micros("decided_at")), \(SQL.micros("updated_at"))
        """
    }

    static func review(_ r: StoreRow) throws -> OrphanReview {
        let id = try r.int64(0)
        let key = "id \(id)"
        return OrphanReview(
            id: id, artifactUUID: try r.text(1), kind: try r.word(2, as: ArtifactKind.self, column: "kind", key: key), handle: try r.text(3),
            rowVersion: RowVersion(deploymentId: try r.optionalText(4), deployedAt: try r.optionalTime(5)),
            verdict: try r.word(6, as: OrphanVerdict.self, column: "verdict", key: key),
            status: try r.word(7, as: ReviewStatus.self, column: "status", key: key),
            apiKeys: try r.int(8), subscriptions: try r.int(9), detectedRun: try r.optionalInt64(10), detectedAt: try r.time(11),
            reason: try r.optionalText(12), decidedBy: try r.optionalText(13), decidedFrom: try r.optionalText(14),
            decidedAt: try r.optionalTime(15), updatedAt: try r.time(16))
    }

    static func reviews(_ s: any StoreSession, where condition: SQL) async throws -> [OrphanReview] {
        try await s.rows("SELECT \(reviewColumns) FROM orphan_reviews WHERE \(condition)", table: "orphan_reviews", review)
    }

    public func recordOrphan(
        _ candidate: ArtifactSummary, verdict: OrphanVerdict, reason: String?, runId: Int64?,
        decide: @escaping @Sendable (OrphanReview?, RowVersion, OrphanVerdict) -> ReviewAction
    ) async throws -> OrphanReview? {
        let gatewayId = self.gatewayId
        return try await write("record orphan") { s in
            // The row as it is now: the candidate came from an earlier snapshot.
            guard let current = try await ArtifactRows.summary(s, uuid: candidate.uuid), current.rowVersion == candidate.rowVersion else {
                return nil
            }
            let latest = try await Self.reviews(s, where: "artifact_uuid = \(candidate.uuid) ORDER BY id DESC LIMIT 1").first
            let action = decide(latest, current.rowVersion, verdict)
            let counts = try await ArtifactRows.dependents(s, uuid: candidate.uuid)
            let reviewId: Int64?
            switch action {
            case .keep:
                return latest
            case .update(let id, let newVerdict, let status):
                try await s.execute(
                    """
                    UPDATE orphan_reviews SET verdict = \(newVerdict), status = \(status), reason = \(reason), api_keys = \(counts.apiKeys),
                        subscriptions = \(counts.subscriptions), updated_at = \(SQL.now) WHERE id = \(id)
                    """)
                reviewId = id
            case .insert(let newVerdict, let status, let supersede):
                if let supersede {
                    try await s.execute("UPDATE orphan_reviews SET status = 'superseded', updated_at = \(SQL.now) WHERE id = \(supersede)")
                }
                reviewId = try await s.int64(
                    """
                    INSERT INTO orphan_reviews(artifact_uuid, kind, handle, deployment_id, deployed_at, verdict, status,
                        api_keys, subscriptions, detected_run, detected_at, reason, updated_at)
                    VALUES (\(current.uuid), \(current.kind), \(current.handle), \(current.deploymentId), \(time: current.deployedAt),
                        \(newVerdict), \(status), \(counts.apiKeys), \(counts.subscriptions), \(runId), \(SQL.now), \(reason), \(SQL.now))
                    RETURNING id
                    """, table: "orphan_reviews")
            }
            if action.resultingStatus == .retained {
                _ = try await ArtifactRows.retain(s, uuid: current.uuid, expected: current.rowVersion, gatewayId: gatewayId)
            }
            return try await Self.reviews(s, where: "id = \(reviewId)").first
        }
    }

    public func supersedeReviews(artifactIds: Set<String>) async throws -> Int {
        try await write("supersede reviews") { s in
            let open = try await Self.reviews(s, where: "status IN ('pending', 'approved', 'retained')")
            var count = 0
            for review in open where artifactIds.contains(review.artifactUUID) {
                try await s.execute("UPDATE orphan_reviews SET status = 'superseded', updated_at = \(SQL.now) WHERE id = \(review.id)")
                count += 1
            }
            return count
        }
    }

    public func decide(reviewId: Int64, decision: ReviewDecision, actor: Principal, allowUnverified: Bool) async throws -> DecisionResult {
        let gatewayId = self.gatewayId
        return try await write("decide review") { s in
            guard let review = try await Self.reviews(s, where: "id = \(reviewId) \(SQL.forUpdate)").first else {
                return .refused("review \(reviewId) does not exist")
            }
            let result: DecisionResult
            if let refusal = ReviewRules.check(decision, on: review, allowUnverified: allowUnverified) {
                result = .refused(refusal)
            } else {
                let current = decision == .approve ? try await ArtifactRows.summary(s, uuid: review.artifactUUID) : nil
                let dependents = current == nil ? Dependents() : try await ArtifactRows.dependents(s, uuid: review.artifactUUID)
                result = ReviewRules.outcome(decision, on: review, current: current?.rowVersion, dependents: dependents)
                if case .deleted = result, let current { try await ArtifactRows.delete(s, current, gatewayId: gatewayId) }
                try await s.execute(
                    """
                    UPDATE orphan_reviews SET status = \(result.reviewStatus), decided_by = \(actor.user),
                        decided_from = \(actor.clientAddress), decided_at = \(SQL.now), updated_at = \(SQL.now) WHERE id = \(review.id)
                    """)
            }
            try await Self.appendAudit(
                s, actor: actor, action: "review.\(decision.rawValue)",
                target: "review \(reviewId) \(review.kind.rawValue) \(review.handle) (\(review.artifactUUID))",
                outcome: result.auditWord, detail: result.auditDetail)
            return result
        }
    }

    public func review(id: Int64) async throws -> OrphanReview? {
        try await read("read review") { s in try await Self.reviews(s, where: "id = \(id)").first }
    }

    public func reviews(statuses: [ReviewStatus], limit: Int) async throws -> [OrphanReview] {
        try await read("list reviews") { s in try await Self.reviews(statuses: statuses, limit: limit, s) }
    }

    static func reviews(statuses: [ReviewStatus], limit: Int, _ s: any StoreSession) async throws -> [OrphanReview] {
        if statuses.isEmpty { return [] }  // `IN ()` is SQLite's, not PostgreSQL's
        let list = statuses.map { status -> SQL in "\(status)" }.joined(", ")
        return try await Self.reviews(s, where: "status IN (\(list)) ORDER BY id DESC LIMIT \(limit)")
    }

    public func reviewHistory(artifactUUID: String) async throws -> [OrphanReview] {
        try await read("read review history") { s in try await Self.reviews(s, where: "artifact_uuid = \(artifactUUID) ORDER BY id DESC") }
    }

    static func appendAudit(_ s: any StoreSession, actor: Principal, action: String, target: String, outcome: String, detail: String?) async throws {
        try await s.execute(
            """
            INSERT INTO audit_log(at, actor, client_address, peer, action, target, outcome, detail)
            VALUES (\(SQL.now), \(actor.user), \(actor.clientAddress), \(actor.peer), \(action), \(target), \(outcome), \(detail))
            """)
    }

    public func appendAudit(actor: Principal, action: String, target: String, outcome: String, detail: String?) async throws {
        try await write("append audit") { s in
            try await Self.appendAudit(s, actor: actor, action: action, target: target, outcome: outcome, detail: detail)
        }
    }

    public func auditEntries(limit: Int) async throws -> [AuditEntry] {
        try await read("read audit log") { s in
            try await s.rows(
                """
                SELECT id, \(SQL.micros("at")), actor, client_address, peer, action, target, outcome, detail
                FROM audit_log ORDER BY id DESC LIMIT \(limit)
                """, table: "audit_log"
            ) { r in
                AuditEntry(
                    id: try r.int64(0), at: try r.time(1),
                    actor: Principal(user: try r.text(2), clientAddress: try r.optionalText(3), peer: try r.optionalText(4)),
                    action: try r.text(5), target: try r.text(6), outcome: try r.text(7), detail: try r.optionalText(8))
            }
        }
    }
}
