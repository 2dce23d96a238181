import Foundation
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// A `gwops sync` process killed mid-run leaves a consistent store, and the next run converges.
struct CrashSafetyTests {
    @Test func syncKilledMidRunLeavesNoPartialBatchAndTheNextRunConverges() async throws {
        let f = try await StoreFixture.make(.sqlite)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 2000) { h in
            // Given a slow platform, so the sync is killed between and during batches
            await h.platform.addFault(SimFault(endpoint: .fetchBatch, count: 10_000, delayMs: 120))
            let config = GwopsBinary.writeConfig(
                in: f.directory, gatewayId: StoreFixture.gatewayId, platformURL: h.baseURL, storePath: f.sqlitePath)
            let env = ["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey]
            let sync = try GwopsBinary.start(["sync", "--config", config], environment: env, logPrefix: "sync1", in: f.directory)

            // When it is killed with SIGKILL after some batches were applied
            try await waitUntil(seconds: 60) { (try await f.store.syncRuns(limit: 1).first?.counters.fetched ?? 0) >= 300 }
            kill(sync.processIdentifier, SIGKILL)
            await GwopsBinary.exit(of: sync)
            #expect(sync.terminationReason == .uncaughtSignal)

            // Then the database is sound and holds whole batches only, each row with its event
            let sqlite = try SQLiteStore(path: f.sqlitePath, gatewayId: StoreFixture.gatewayId)
            #expect(try sqlite.integrityCheck().isEmpty)
            let artifacts = try await sqlite.artifactSummaries()
            let events = try await sqlite.events(after: 0, limit: 100_000)
            #expect(events.map(\.seq) == (0..<Int64(events.count)).map { $0 + 1 })
            #expect(Set(events.map(\.entityId)) == Set(artifacts.map(\.uuid)))
            #expect(events.count == artifacts.count)
            let remote = await h.platform.listing(since: nil).filter { $0.1.state == .deployed }
            for kind in ArtifactKind.allCases {
                let have = artifacts.filter { $0.kind == kind }.count
                let want = remote.filter { $0.0.kind == kind }.count
                // Batches of a kind apply in any order: whole ones are 50 each and one remainder.
                #expect(have % 50 == 0 || have % 50 == want % 50, "\(kind.rawValue): \(have) of \(want) is not whole batches")
            }
            #expect(artifacts.count < remote.count)

            // And the next sync takes over the dead run's lease and converges
            await h.platform.clearFaults()
            let (status, out, err) = try await GwopsBinary.run(["sync", "--config", config], environment: env, in: f.directory)
            #expect(status == 0, "\(out)\n\(err)")
            let runs = try await sqlite.syncRuns(limit: 2)
            #expect(runs.map(\.outcome) == [.succeeded, .abandoned])
            #expect(Set(try await sqlite.artifactSummaries().map(\.uuid)) == Set(remote.map(\.0.id)))

            // And `gwops status --json` prints exactly one object with the documented keys
            let (code, json, statusErr) = try await GwopsBinary.run(["status", "--config", config, "--json"], in: f.directory)
            #expect(code == 0, "\(statusErr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["gateway", "store", "artifacts", "credentials", "reviews", "eventHub", "replicas", "lastSync"])
            let last = try #require(object["lastSync"] as? [String: Any])
            #expect(last["outcome"] as? String == "succeeded")
            #expect((object["artifacts"] as? [String: Any])?["total"] as? Int == remote.count)
        }
    }
}
