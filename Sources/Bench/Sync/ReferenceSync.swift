import Core
import Foundation
import GRDB

/// The reference design's startup sync, on gwops's schema: list, then fetch what is new or
/// changed in sequential batches of 50, and write each artifact in its own transaction and its
/// event in another. No concurrency.
struct ReferenceSync {
    let path: String
    let client: PlatformClient

    func run() async throws -> Int {
        let db = try Self.open(path)
        let listing = try await client.listDeployments(since: nil)
        let local = try await db.read { db in
            var known: [String: (String?, Int64?)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT uuid, deployment_id, deployed_at FROM artifacts") {
                known[row["uuid"]] = (row["deployment_id"], row["deployed_at"])
            }
            return known
        }
        let todo = listing.deployments.filter { d in
            guard let (deploymentId, deployedAt) = local[d.artifactId] else { return true }
            return deploymentId != d.deploymentId || (deployedAt ?? 0) < d.deployedAt.microseconds
        }
        var written = 0
        for start in stride(from: 0, to: todo.count, by: 50) {
            let batch = Array(todo[start..<min(start + 50, todo.count)])
            let files = try await client.fetchDeployments(batch.map(\.deploymentId))
            let mapped = ArtifactMapper.map(batch.map { PlannedFetch(deployment: $0, reason: .new) }, files: files)
            for artifact in mapped.artifacts where try await write(artifact, db) {
                try await publish(artifact, db)
                written += 1
            }
        }
        return written
    }

    static func open(_ path: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        return try DatabaseQueue(path: path, configuration: config)
    }

    /// The timestamp-guarded upsert, alone in its transaction.
    private func write(_ a: Artifact, _ db: DatabaseQueue) async throws -> Bool {
        try await db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO artifacts(uuid, handle, display_name, version, kind, desired_state, deployment_id, deployed_at,
                                          origin, content, content_sha256, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(uuid) DO UPDATE SET handle = excluded.handle, display_name = excluded.display_name,
                        version = excluded.version, desired_state = excluded.desired_state, deployment_id = excluded.deployment_id,
                        deployed_at = excluded.deployed_at, content = excluded.content, content_sha256 = excluded.content_sha256,
                        updated_at = excluded.updated_at
                    WHERE excluded.deployed_at > COALESCE(artifacts.deployed_at, 0)
                    """,
                arguments: [
                    a.uuid, a.handle, a.displayName, a.version, a.kind.rawValue, a.desiredState.rawValue, a.deploymentId,
                    a.deployedAt?.microseconds, a.origin.rawValue, a.content, a.contentSHA256, Timestamp.now.microseconds,
                ])
            return db.changesCount > 0
        }
    }

    /// The event, in a transaction of its own.
    private func publish(_ a: Artifact, _ db: DatabaseQueue) async throws {
        let event = ArtifactEvents.change(a.summary, action: .create)
        try await db.write { db in
            try db.execute(sql: "UPDATE gateway_states SET head_seq = head_seq + 1, updated_at = ?", arguments: [Timestamp.now.microseconds])
            try db.execute(
                sql: """
                    INSERT INTO events(gateway_id, seq, event_id, entity_type, action, entity_id, event_data, originated_at, processed_at)
                    SELECT gateway_id, head_seq, ?, ?, ?, ?, ?, ?, ? FROM gateway_states
                    """,
                arguments: [
                    event.eventId, event.entityType, event.action.rawValue, event.entityId, event.eventData,
                    event.originatedAt.microseconds, Timestamp.now.microseconds,
                ])
        }
    }
}
