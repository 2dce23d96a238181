import Foundation
import Testing
import TestSupport
@testable import Core

extension StoreConformance {
    /// Storage conformance, `GatewayStore.tables`: the small tables in one snapshot agree with
    /// the reads that fetch each of them, on every backend.
    @Suite struct TablesConformanceTests {
        @Test(arguments: Backend.allCases)
        func theTablesAgreeWithEachTablesOwnRead(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            // Given five events, a replica behind at seq 2 and one caught up, lag samples, a key,
            // open reviews and runs
            _ = try await f.store.upsertArtifacts((1...5).map { Fixtures.artifact("a\($0)") })
            for (id, seq) in [("behind", Int64(2)), ("current", Int64(5))] {
                _ = try await f.store.registerReplica(id: id, host: "h", pid: 1)
                try await f.store.heartbeat(id: id, appliedSeq: seq, appliedAt: nil, state: .running, resyncs: 0)
            }
            let now = try await f.store.databaseNow()
            try await f.store.recordLagSample(
                LagSample(replicaId: "behind", sampledAt: now.subtracting(.seconds(5)), headSeq: 5, appliedSeq: 2, lagSeconds: 1),
                keepAfter: Timestamp(microseconds: 0))
            try await f.store.recordLagSample(
                LagSample(replicaId: "behind", sampledAt: now.subtracting(.seconds(500)), headSeq: 5, appliedSeq: 1, lagSeconds: 9),
                keepAfter: Timestamp(microseconds: 0))
            try await f.store.addAPIKey(APIKeyRecord(id: "k1", artifactUUID: "a1", name: "prod", createdAt: now))
            let holder = SyncLeaseHolder(token: "t", host: "h", pid: 1)
            _ = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "ops", holder: holder, ttl: .seconds(30))
            let local = try #require(try await f.store.artifact(uuid: "a3")).summary
            _ = try await f.store.recordOrphan(local, verdict: .deletedOnPlatform, reason: nil, runId: 1, decide: ReviewRules.action)

            // When the tables are read with the newest three events and a minute of samples
            let tables = try await f.store.tables(recentEvents: 3, lagWindow: .seconds(60))

            // Then each agrees with its own read
            #expect(tables.position == (try await f.store.position()))
            #expect(tables.replicas == (try await f.store.replicas()))
            #expect(tables.firstUnapplied.keys.sorted() == ["behind"])
            #expect(tables.firstUnapplied["behind"] == (try await f.store.processedAt(seq: 3)))
            #expect(tables.lagSamples.map(\.lagSeconds) == [1], "only the last minute's")
            #expect(tables.openReviews == (try await f.store.reviews(statuses: [.pending, .retained, .retentionConfirmed], limit: 100)))
            #expect(tables.openReviews.count == 1)
            #expect(tables.runs == (try await f.store.syncRuns(limit: 20)))
            #expect(tables.recentEvents.map(\.seq) == [5, 4, 3])
            #expect(tables.apiKeys == ["a1": 1])
            #expect(tables.now >= now)
            // And without recent events asked for, none are read
            #expect(try await f.store.tables(recentEvents: 0, lagWindow: .seconds(60)).recentEvents.isEmpty)
        }
    }
}
