import Core
@testable import Console

/// Fixed data for snapshot and key tests: the same screen every run.
enum ConsoleFixtures {
    static let now = Timestamp(rfc3339: "2026-11-23T09:00:00Z")!

    static func artifacts(_ n: Int) -> [ArtifactRow] {
        let kinds: [ArtifactKind] = [.restApi, .llmProvider, .llmProxy, .mcp]
        return (0..<n).map { i in
            let kind = kinds[i % 4]
            let s = ArtifactSummary(
                uuid: String(format: "%08x-0000-4000-8000-%012x", i, i), handle: "\(["orders", "openai", "router", "tools"][i % 4])-\(kind.archivePrefix)-\(i)",
                kind: kind, desiredState: i % 7 == 3 ? .undeployed : .deployed, deploymentId: "dep-\(1000 + i)",
                deployedAt: Timestamp(milliseconds: now.milliseconds - Int64(i) * 60_000))
            let sync: SyncStatus = i % 11 == 5 ? .outOfSync : (i % 13 == 7 ? .pendingDeletion : .inSync)
            return ArtifactRow(summary: s, sync: sync, keys: i % 5)
        }
    }

    static func replica(_ id: String, seq: Int64, heartbeatAgo: Double, state: ReplicaState = .running) -> ReplicaRecord {
        ReplicaRecord(
            replicaId: id, gatewayId: "gw-prod-1", host: "gw-host-a", pid: 4242, startedAt: now.adding(seconds: -3600),
            heartbeatAt: now.adding(seconds: -heartbeatAgo), appliedSeq: seq, appliedAt: nil, state: state, resyncs: 0)
    }

    static func review(_ id: Int64, _ handle: String, verdict: OrphanVerdict, status: ReviewStatus, keys: Int = 0, subs: Int = 0) -> OrphanReview {
        OrphanReview(
            id: id, artifactUUID: "uuid-\(handle)", kind: .restApi, handle: handle,
            rowVersion: RowVersion(deploymentId: "dep-\(id)", deployedAt: now), verdict: verdict, status: status, apiKeys: keys,
            subscriptions: subs, detectedRun: 41, detectedAt: now.adding(seconds: -180),
            reason: verdict == .unverified ? "exists check failed: platform answered 500" : nil, decidedBy: nil,
            decidedFrom: nil, decidedAt: nil, updatedAt: now)
    }

    static func data(artifacts n: Int = 40) -> ConsoleData {
        var d = ConsoleData()
        d.header = HeaderInfo(
            gateway: "gw-prod-1", platformURL: "https://platform.example", platformReachable: true, backend: "sqlite",
            location: "/var/lib/gwops/gateway.db", operatorName: "alice@10.0.0.7", readonly: false)
        d.loadedAt = now.adding(seconds: -0.4)
        d.artifacts = artifacts(n)
        d.counts.total = n
        d.counts.deployed = d.artifacts.filter { $0.summary.desiredState == .deployed }.count
        d.counts.undeployed = n - d.counts.deployed
        d.inSyncCount = d.artifacts.filter { $0.sync == .inSync }.count
        d.outOfSyncCount = d.artifacts.filter { $0.sync == .outOfSync }.count
        let records = [
            replica("replica-a", seq: 1200, heartbeatAgo: 1), replica("replica-b", seq: 1150, heartbeatAgo: 1),
            replica("replica-dead", seq: 900, heartbeatAgo: 120), replica("replica-gone", seq: 10, heartbeatAgo: 1, state: .reloading),
        ]
        d.replicaRecords = Dictionary(uniqueKeysWithValues: records.map { ($0.replicaId, $0) })
        func report(_ id: String, _ status: LagStatus, _ reason: String?, lag: Int64, secs: Double, headroom: Double, hb: Double) -> LagReport {
            LagReport(replicaId: id, status: status, reason: reason, lagEvents: lag, lagSeconds: secs, headroom: headroom, heartbeatAge: hb)
        }
        d.replicas = [
            report("replica-gone", .gone, "missed events pruned by retention; reloading its view", lag: 1190, secs: 90_000, headroom: 0, hb: 1),
            report("replica-dead", .down, "no heartbeat for 2m; cursor at seq 900", lag: 300, secs: 400, headroom: 0.99, hb: 120),
            report("replica-b", .warn, "lag not shrinking over 30s (40 → 50)", lag: 50, secs: 3, headroom: 1, hb: 1),
            report("replica-a", .ok, nil, lag: 0, secs: 0, headroom: 1, hb: 1),
        ]
        d.lagHistory["replica-b"] = (0..<12).map { i in
            LagSample(replicaId: "replica-b", sampledAt: now.adding(seconds: Double(i * 5 - 60)), headSeq: 1200, appliedSeq: 1200 - Int64(i * 4), lagSeconds: 0)
        }
        d.hub = HubPosition(headSeq: 1200, oldestSeq: 100)
        d.reviews = [
            review(7, "legacy-billing-api", verdict: .deletedOnPlatform, status: .pending, keys: 3, subs: 2),
            review(8, "old-search-api", verdict: .unverified, status: .pending),
            review(9, "paused-llm-route", verdict: .existsOnPlatform, status: .retained, keys: 1),
        ]
        var counters = SyncCounters()
        counters.listed = 1284
        counters.toFetch = 200
        counters.fetched = 120
        counters.statusUpdated = 3
        counters.retained = 1
        counters.pendingDeletion = 1
        counters.unverified = 1
        counters.errors = 1
        d.runs = [
            SyncRunRecord(
                id: 42, gatewayId: "gw-prod-1", trigger: .console, requestedBy: "alice@10.0.0.7", phase: .fetching, outcome: .running,
                startedAt: now.adding(seconds: -12), finishedAt: nil, counters: counters,
                errors: ["exists check failed: platform POST /artifacts/exists answered 500; affected orphans are unverified and nothing was deleted"]),
            SyncRunRecord(
                id: 41, gatewayId: "gw-prod-1", trigger: .startup, requestedBy: "controller", phase: .done, outcome: .succeeded,
                startedAt: now.adding(seconds: -3600), finishedAt: now.adding(seconds: -3590), counters: SyncCounters(), errors: []),
        ]
        // Events about the artifacts above, and every ninth the deletion of one the console knows
        // nothing about (its row shows the UUID).
        let summaries = d.artifacts.map(\.summary)
        d.events = (0..<30).map { i in
            let known = i % 9 != 0 && i < n
            return HubEvent(
                gatewayId: "gw-prod-1", seq: 1200 - Int64(i), eventId: "evt-\(1200 - i)",
                entityType: known ? summaries[i].kind.rawValue : "RestApi", action: i % 9 == 0 ? .delete : .update,
                entityId: known ? summaries[i].uuid : "uuid-\(i)", eventData: "{}", originatedAt: now,
                processedAt: now.adding(seconds: -Double(i)))
        }
        d.eventArtifacts = Dictionary(uniqueKeysWithValues: summaries.map { ($0.uuid, ArtifactName(kind: $0.kind, name: $0.handle)) })
        return d
    }

    static func app(width: Int, height: Int, data: ConsoleData = data(), readonly: Bool = false) -> ConsoleApp {
        var app = ConsoleApp(readonly: readonly, width: width, height: height)
        var d = data
        d.header.readonly = readonly
        app.update(d)
        return app
    }
}
