import Logging

extension SyncEngine {
    /// Classifies orphan candidates and records their reviews; returns the ones to delete now
    /// (only with `orphan_policy = "auto"`).
    func classifyOrphans(_ plan: SyncPlan, listing: DeploymentListing, progress: SyncProgress, runId: Int64) async throws -> [OrphanReview] {
        guard !plan.orphanCandidates.isEmpty else { return [] }
        guard Self.orphanDetectionIsSafe(listing) else {
            await progress.error(
                "orphan check skipped: the listing had entries without an artifact id, so no orphan can be trusted")
            return []
        }
        if let why = Self.massOrphaning(plan, listed: listing.deployments.count, options: options) {
            await progress.error(why)
            return []
        }
        let verdicts = try await OrphanClassifier(platform: platform, options: options, clock: clock).classify(plan.orphanCandidates)
        var reportedFailure = false
        var deletions: [OrphanReview] = []
        for candidate in plan.orphanCandidates {
            let verdict = verdicts.verdicts[candidate.uuid] ?? .unverified
            let reason = verdicts.reasons[candidate.uuid]
            if verdict == .unverified, !reportedFailure {
                reportedFailure = true
                await progress.error("\(reason ?? "exists check failed"); affected orphans are unverified and nothing was deleted")
            }
            guard let review = try await store.recordOrphan(
                candidate, verdict: verdict, reason: reason, runId: runId, decide: ReviewRules.action)
            else { continue }
            await progress.update { counters in
                switch (review.verdict, review.status) {
                case (.existsOnPlatform, .retained), (.existsOnPlatform, .retentionConfirmed): counters.retained += 1
                case (.unverified, _): counters.unverified += 1
                case (.deletedOnPlatform, .pending): counters.pendingDeletion += 1
                default: break
                }
            }
            // Only this run's answer counts: an older verdict kept after a failed check never deletes.
            if options.orphanPolicy == .auto, verdict == .deletedOnPlatform, review.verdict == .deletedOnPlatform, review.status == .pending {
                deletions.append(review)
            }
        }
        await progress.flush()
        return deletions
    }

    /// Fetches in dependency order with `fetchConcurrency` batches in flight across kinds; a batch
    /// applies only after every batch of the kinds before it (see `KindGate`). A failed batch is
    /// retried, then reported; the others continue.
    func fetchAndApply(_ fetches: [PlannedFetch], progress: SyncProgress) async throws {
        let batches = ArtifactKind.fetchOrder.flatMap { kind in
            fetches.filter { $0.deployment.kind == kind }.chunked(options.batchSize).map(Array.init)
        }
        let gate = KindGate(batchKinds: batches.compactMap(\.first?.deployment.kind))
        var next = 0
        try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                func startNext() {
                    guard next < batches.count else { return }
                    let batch = batches[next]
                    next += 1
                    group.addTask {
                        do {
                            try await self.fetchBatch(batch, gate: gate, progress: progress)
                        } catch {
                            gate.abandon()
                            throw error
                        }
                    }
                }
                for _ in 0..<min(options.fetchConcurrency, batches.count) { startNext() }
                while try await group.next() != nil { startNext() }
            }
        } onCancel: {
            gate.abandon()
        }
    }

    private func fetchBatch(_ batch: [PlannedFetch], gate: KindGate, progress: SyncProgress) async throws {
        guard let kind = batch.first?.deployment.kind else { return }
        let ids = batch.map(\.deployment.deploymentId)
        let files: [String: [ArchiveFile]]
        do {
            files = try await retrying { [platform] in
                try await platform.fetchDeployments(ids)
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let first = ids.first ?? "", last = ids.last ?? ""
            let what = ids.count == 1 ? "deployment \(first)" : "batch of \(ids.count) deployments (\(first)…\(last))"
            await progress.error("\(what) not applied: \(error)")
            gate.finished(kind)
            return
        }
        let mapped = ArtifactMapper.map(batch, files: files)
        try await gate.waitForEarlierKinds(of: kind)
        for missing in mapped.missing { await progress.error(missing.reason) }
        // A store failure here is not transient data trouble: it fails the run.
        let outcomes = try await store.upsertArtifacts(mapped.artifacts)
        gate.finished(kind)
        for (artifact, outcome) in zip(mapped.artifacts, outcomes) {
            if case .rejected(let why) = outcome { await progress.error("\(artifact.uuid) rejected: \(why)") }
        }
        await progress.update { counters in
            counters.fetched += outcomes.filter(\.affected).count
            counters.stale += outcomes.filter { $0 == .stale }.count
            counters.missing += mapped.missing.count
        }
        await progress.flush()
    }

    /// Deletes in reverse dependency order (Mcp → RestApi → LlmProxy → LlmProvider).
    func deleteOrphans(_ reviews: [OrphanReview], progress: SyncProgress) async throws {
        let policyActor = Principal(user: "orphan_policy=auto", clientAddress: nil)
        for kind in ArtifactKind.deletionOrder {
            for review in reviews where review.kind == kind {
                let result = try await store.decide(reviewId: review.id, decision: .approve, actor: policyActor, allowUnverified: false)
                switch result {
                case .deleted: await progress.update { $0.deleted += 1; $0.pendingDeletion -= 1 }
                case .superseded: await progress.note("\(review.artifactUUID) changed since it was found orphaned; not deleted")
                case .refused(let why): await progress.error(why)
                default: break
                }
            }
        }
    }
}
