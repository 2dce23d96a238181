import Core

/// The JSON form of a sync plan (`gwops sync --dry-run --json`).
struct PlanJSON: Encodable {
    struct Row: Encodable {
        var artifactId: String
        var kind: String
        var detail: String
    }

    var listed: Int
    var fetch: [Row]
    var statusUpdates: [Row]
    var unknownState: [Row]
    var drift: [Row]
    var inSync: Int
    var ignoredUndeployed: Int
    var retain: [Row]
    var pendingDeletion: [Row]
    var unverified: [Row]
    var unreadable: [String]

    init(_ p: SyncPreview) {
        listed = p.listed
        fetch = p.plan.fetchesInDependencyOrder.map {
            Row(artifactId: $0.deployment.artifactId, kind: $0.deployment.kind.rawValue, detail: $0.reason.rawValue)
        }
        statusUpdates = p.plan.statusUpdates.map { Row(artifactId: $0.uuid, kind: $0.kind.rawValue, detail: "→ \($0.state.rawValue)") }
        unknownState = p.plan.unknownState.map { Row(artifactId: $0.artifactId, kind: $0.kind.rawValue, detail: $0.state.wire) }
        drift = p.plan.drift.map {
            Row(artifactId: $0.artifactId, kind: "", detail: "local \($0.localDeployedAt) newer than remote \($0.remoteDeployedAt)")
        }
        inSync = p.plan.inSync
        ignoredUndeployed = p.plan.ignoredUndeployed
        func orphans(_ verdict: OrphanVerdict) -> [Row] {
            p.plan.orphanCandidates.filter { p.verdicts.verdicts[$0.uuid] == verdict }.map {
                Row(artifactId: $0.uuid, kind: $0.kind.rawValue, detail: p.verdicts.reasons[$0.uuid] ?? $0.handle)
            }
        }
        retain = orphans(.existsOnPlatform)
        pendingDeletion = orphans(.deletedOnPlatform)
        unverified = orphans(.unverified) + p.plan.orphanCandidates.filter { p.verdicts.verdicts[$0.uuid] == nil }.map {
            Row(artifactId: $0.uuid, kind: $0.kind.rawValue, detail: "not checked")
        }
        unreadable = p.unreadable.map(\.reason)
    }
}

/// The text form of a sync plan: counts and the first rows of each part.
enum PlanText {
    static func render(_ p: SyncPreview) -> String {
        let j = PlanJSON(p)
        var lines = ["sync plan (dry run: nothing changed) — \(j.listed) deployments listed"]
        func section(_ title: String, _ rows: [PlanJSON.Row]) {
            lines.append("  \(title): \(rows.count)")
            for row in rows.prefix(5) {
                lines.append("      \(row.kind.padding(toLength: 12, withPad: " ", startingAt: 0)) \(row.artifactId)  \(row.detail)")
            }
            if rows.count > 5 { lines.append("      … \(rows.count - 5) more") }
        }
        section("fetch", j.fetch)
        section("status updates", j.statusUpdates)
        section("retain (platform still has them)", j.retain)
        section("pending deletion (platform deleted them)", j.pendingDeletion)
        section("unverified orphans", j.unverified)
        section("drift (local newer)", j.drift)
        section("unknown state (skipped)", j.unknownState)
        lines.append("  in sync: \(j.inSync)   remote undeployed, not local: \(j.ignoredUndeployed)")
        for reason in j.unreadable.prefix(10) { lines.append("  unreadable listing entry: \(reason)") }
        return lines.joined(separator: "\n")
    }
}
