internal import PostgresNIO

extension PostgresStore: ReviewStore {
    static let reviewColumns = """
        id, artifact_uuid, kind, handle, deployment_id, \(PG.micros("deployed_at")), verdict, status, api_keys, subscriptions,
        detected_run, \(PG.micros("detected_at")), reason, decided_by, decided_from, \(PG.micros("decided_at")), \(PG.micros("updated_at"))
        """

    static func decodeReviews(_ rows: PostgresRowSequence) async throws -> [OrphanReview] {
        var result: [OrphanReview] = []
        for try await t in rows.decode(
            (Int64, String, String, String, String?, Int64?, String, String, Int32, Int32, Int64?, Int64, String?, String?, String?, Int64?, Int64).self)
        {
            let (id, uuid, kind, handle, dep, at, verdict, status, keys, subs) = (t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8, t.9)
            let (run, detected, reason, by, from, decidedAt, updated) = (t.10, t.11, t.12, t.13, t.14, t.15, t.16)
            let key = "id \(id)"
            let k = try StoredValue.decode(kind, as: ArtifactKind.self, column: "kind", table: "orphan_reviews", key: key)
            let v = try StoredValue.decode(verdict, as: OrphanVerdict.self, column: "verdict", table: "orphan_reviews", key: key)
            let s = try StoredValue.decode(status, as: ReviewStatus.self, column: "status", table: "orphan_reviews", key: key)
            result.append(OrphanReview(
                id: id, artifactUUID: uuid, kind: k, handle: handle,
                rowVersion: RowVersion(deploymentId: dep, deployedAt: at.map { Timestamp(microseconds: $0) }), verdict: v, status: s,
                apiKeys: Int(keys), subscriptions: Int(subs), detectedRun: run, detectedAt: Timestamp(microseconds: detected),
                reason: reason, decidedBy: by, decidedFrom: from, decidedAt: decidedAt.map { Timestamp(microseconds: $0) },
                updatedAt: Timestamp(microseconds: updated)))
        }
        return result
    }

    static func review(id: Int64, _ conn: PostgresConnection, _ logger: Logger, lock: Bool = false) async throws -> OrphanReview? {
        try await decodeReviews(try await conn.checkedQuery(
            "SELECT \(unescaped: reviewColumns) FROM orphan_reviews WHERE id = \(id) \(unescaped: lock ? "FOR UPDATE" : "")",
            logger: logger)).first
    }

    public func recordOrphan(
        _ candidate: ArtifactSummary, verdict: OrphanVerdict, reason: String?, runId: Int64?,
        decide: @escaping @Sendable (OrphanReview?, RowVersion, OrphanVerdict) -> ReviewAction
    ) async throws -> OrphanReview? {
        try await transaction("record orphan") { conn in
            guard let current = try await Self.fetchSummary(conn, uuid: candidate.uuid, lock: true, logger),
                  current.rowVersion == candidate.rowVersion
            else { return nil }
            let latest = try await Self.decodeReviews(try await conn.checkedQuery(
                "SELECT \(unescaped: Self.reviewColumns) FROM orphan_reviews WHERE artifact_uuid = \(candidate.uuid) ORDER BY id DESC LIMIT 1",
                logger: logger)).first
            let action = decide(latest, current.rowVersion, verdict)
            let counts = try await Self.dependents(of: candidate.uuid, conn, logger)
            var reviewId: Int64
            switch action {
            case .keep:
                return latest
            case .update(let id, let newVerdict, let status):
                try await conn.checkedQuery(
                    """
                    UPDATE orphan_reviews SET verdict = \(newVerdict.rawValue), status = \(status.rawValue), reason = \(reason),
                        api_keys = \(Int32(counts.apiKeys)), subscriptions = \(Int32(counts.subscriptions)), updated_at = clock_timestamp()
                    WHERE id = \(id)
                    """, logger: logger)
                reviewId = id
            case .insert(let newVerdict, let status, let supersede):
                if let supersede {
                    try await conn.checkedQuery(
                        "UPDATE orphan_reviews SET status = 'superseded', updated_at = clock_timestamp() WHERE id = \(supersede)", logger: logger)
                }
                reviewId = 0
                let at = current.deployedAt?.microseconds
                for try await id in try await conn.checkedQuery(
                    """
                    INSERT INTO orphan_reviews(artifact_uuid, kind, handle, deployment_id, deployed_at, verdict, status, api_keys,
                        subscriptions, detected_run, detected_at, reason, updated_at)
                    VALUES (\(current.uuid), \(current.kind.rawValue), \(current.handle), \(current.deploymentId),
                        timestamptz 'epoch' + \(at)::bigint * interval '1 microsecond', \(newVerdict.rawValue), \(status.rawValue),
                        \(Int32(counts.apiKeys)), \(Int32(counts.subscriptions)), \(runId), clock_timestamp(), \(reason), clock_timestamp())
                    RETURNING id
                    """, logger: logger
                ).decode(Int64.self) { reviewId = id }
            }
            if action.resultingStatus == .retained {
                _ = try await Self.conditionalRetain(uuid: current.uuid, expected: current.rowVersion, gatewayId: gatewayId, conn, logger)
            }
            return try await Self.review(id: reviewId, conn, logger)
        }
    }

    public func supersedeReviews(artifactIds: Set<String>) async throws -> Int {
        try await transaction("supersede reviews") { conn in
            var open: [(Int64, String)] = []
            for try await row in try await conn.checkedQuery(
                "SELECT id, artifact_uuid FROM orphan_reviews WHERE status IN ('pending', 'approved', 'retained')", logger: logger
            ).decode((Int64, String).self) { open.append(row) }
            var count = 0
            for (id, uuid) in open where artifactIds.contains(uuid) {
                try await conn.checkedQuery(
                    "UPDATE orphan_reviews SET status = 'superseded', updated_at = clock_timestamp() WHERE id = \(id)", logger: logger)
                count += 1
            }
            return count
        }
    }

    public func decide(reviewId: Int64, decision: ReviewDecision, actor: Actor, allowUnverified: Bool) async throws -> DecisionResult {
        try await transaction("decide review") { conn in
            guard let review = try await Self.review(id: reviewId, conn, logger, lock: true) else {
                return .refused("review \(reviewId) does not exist")
            }
            let result: DecisionResult
            if let refusal = ReviewRules.check(decision, on: review, allowUnverified: allowUnverified) {
                result = .refused(refusal)
            } else {
                result = try await carryOut(decision, on: review, actor: actor, conn)
            }
            try await Self.appendAudit(
                conn, logger, actor: actor, action: "review.\(decision.rawValue)",
                target: "review \(reviewId) \(review.kind.rawValue) \(review.handle) (\(review.artifactUUID))",
                outcome: result.auditWord, detail: result.auditDetail)
            return result
        }
    }

    private func carryOut(_ decision: ReviewDecision, on review: OrphanReview, actor: Actor, _ conn: PostgresConnection) async throws -> DecisionResult {
        func setStatus(_ status: ReviewStatus) async throws {
            try await conn.checkedQuery(
                """
                UPDATE orphan_reviews SET status = \(status.rawValue), decided_by = \(actor.user), decided_from = \(actor.clientAddress),
                    decided_at = clock_timestamp(), updated_at = clock_timestamp() WHERE id = \(review.id)
                """, logger: logger)
        }
        switch decision {
        case .reject:
            try await setStatus(.rejected)
            return .rejected
        case .confirmRetention:
            try await setStatus(.retentionConfirmed)
            return .retentionConfirmed
        case .approve:
            if let removed = try await Self.conditionalDelete(
                uuid: review.artifactUUID, expected: review.rowVersion,
                allowed: Dependents(apiKeys: review.apiKeys, subscriptions: review.subscriptions), gatewayId: gatewayId, conn, logger)
            {
                try await setStatus(.deleted)
                return .deleted(removed)
            }
            try await setStatus(.superseded)
            return .superseded
        }
    }

    public func review(id: Int64) async throws -> OrphanReview? {
        try await reading("read review") { conn in try await Self.review(id: id, conn, logger) }
    }

    public func reviews(statuses: [ReviewStatus], limit: Int) async throws -> [OrphanReview] {
        try await reading("list reviews") { conn in
            try await Self.decodeReviews(try await conn.checkedQuery(
                """
                SELECT \(unescaped: Self.reviewColumns) FROM orphan_reviews WHERE status = ANY(\(statuses.map(\.rawValue)))
                ORDER BY id DESC LIMIT \(Int64(limit))
                """, logger: logger))
        }
    }

    public func reviewHistory(artifactUUID: String) async throws -> [OrphanReview] {
        try await reading("read review history") { conn in
            try await Self.decodeReviews(try await conn.checkedQuery(
                "SELECT \(unescaped: Self.reviewColumns) FROM orphan_reviews WHERE artifact_uuid = \(artifactUUID) ORDER BY id DESC",
                logger: logger))
        }
    }
}

extension PostgresStore: AuditLog {
    static func appendAudit(
        _ conn: PostgresConnection, _ logger: Logger, actor: Actor, action: String, target: String, outcome: String, detail: String?
    ) async throws {
        try await conn.checkedQuery(
            """
            INSERT INTO audit_log(at, actor, client_address, peer, action, target, outcome, detail)
            VALUES (clock_timestamp(), \(actor.user), \(actor.clientAddress), \(actor.peer), \(action), \(target), \(outcome), \(detail))
            """, logger: logger)
    }

    public func appendAudit(actor: Actor, action: String, target: String, outcome: String, detail: String?) async throws {
        try await transaction("append audit") { conn in
            try await Self.appendAudit(conn, logger, actor: actor, action: action, target: target, outcome: outcome, detail: detail)
        }
    }

    public func auditEntries(limit: Int) async throws -> [AuditEntry] {
        try await reading("read audit log") { conn in
            var result: [AuditEntry] = []
            for try await (id, at, who, from, peer, action, target, outcome, detail) in try await conn.checkedQuery(
                """
                SELECT id, \(unescaped: PG.micros("at")), actor, client_address, peer, action, target, outcome, detail
                FROM audit_log ORDER BY id DESC LIMIT \(Int64(limit))
                """, logger: logger
            ).decode((Int64, Int64, String, String?, String?, String, String, String, String?).self) {
                result.append(AuditEntry(
                    id: id, at: Timestamp(microseconds: at), actor: Actor(user: who, clientAddress: from, peer: peer), action: action,
                    target: target, outcome: outcome, detail: detail))
            }
            return result
        }
    }
}
