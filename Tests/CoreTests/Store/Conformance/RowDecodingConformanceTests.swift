import Testing
import TestSupport
@testable import Core

extension StoreConformance {
    /// Storage conformance, reading rows: a value this gwops does not know (a newer gwops wrote it, or
    /// someone edited the database) is never read as something else. Every table, every backend: the
    /// read fails with `corruptRow`, naming the table, the row and the value.
    @Suite struct RowDecodingConformanceTests {
        let t0 = Timestamp(milliseconds: 1_700_000_000_000)

        /// The read's error, which must be `corruptRow` naming `table` and `value`.
        func expectCorrupt(_ table: String, _ value: String, _ read: () async throws -> Void) async {
            do {
                try await read()
                Issue.record("\(table): a row with \"\(value)\" was read as something else")
            } catch let error as StorageError {
                guard case .corruptRow = error else { Issue.record("\(table): \(error)"); return }
                #expect("\(error)".contains(table) && "\(error)".contains("\"\(value)\""), "\(error)")
            } catch {
                Issue.record("\(table): \(error)")
            }
        }

        @Test(arguments: Backend.allCases)
        func unknownValuesInAnyTableAreCorruptRows(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            _ = try await f.store.upsertArtifacts([Fixtures.artifact("a", deployedAt: t0)])
            _ = try await f.store.registerReplica(id: "r1", host: "h", pid: 1)
            _ = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "x", holder: SyncLeaseHolder(token: "t", host: "h/1", pid: 1), ttl: .seconds(60))
            let review = try #require(try await f.store.recordOrphan(
                Fixtures.summary("a", deployedAt: t0), verdict: .deletedOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action))

            _ = try await f.execute("UPDATE artifacts SET kind = 'Hologram'")
            await expectCorrupt("artifacts", "Hologram") { _ = try await f.store.artifactSummaries() }
            await expectCorrupt("artifacts", "Hologram") { _ = try await f.store.artifact(uuid: "a") }
            _ = try await f.execute("UPDATE artifacts SET kind = 'RestApi', desired_state = 'half'")
            await expectCorrupt("artifacts", "half") { _ = try await f.store.artifactSummaries() }

            _ = try await f.execute("UPDATE replicas SET status = 'zombie'")
            await expectCorrupt("replicas", "zombie") { _ = try await f.store.replicas() }

            _ = try await f.execute("UPDATE sync_runs SET outcome = 'exploded'")
            await expectCorrupt("sync_runs", "exploded") { _ = try await f.store.syncRuns(limit: 5) }
            _ = try await f.execute("UPDATE sync_runs SET outcome = 'running', trigger = 'telepathy'")
            await expectCorrupt("sync_runs", "telepathy") { _ = try await f.store.syncRuns(limit: 5) }
            _ = try await f.execute("UPDATE sync_runs SET trigger = 'cli', phase = 'dreaming'")
            await expectCorrupt("sync_runs", "dreaming") { _ = try await f.store.syncRuns(limit: 5) }

            _ = try await f.execute("UPDATE orphan_reviews SET status = 'maybe'")
            await expectCorrupt("orphan_reviews", "maybe") { _ = try await f.store.review(id: review.id) }

            _ = try await f.execute("UPDATE events SET action = 'EXPLODE'")
            await expectCorrupt("events", "EXPLODE") { _ = try await f.store.events(after: 0, limit: 10) }
        }
    }
}
