import Foundation
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// Batches of later kinds download while earlier kinds are still in flight, yet every kind is
/// written only after the kinds it depends on (DESIGN §3: LlmProvider → LlmProxy → RestApi → Mcp).
struct SyncOrderTests {
    /// When each archive fetch started and finished, by kind.
    actor FetchLog {
        enum Mark: Equatable { case started(ArtifactKind), finished(ArtifactKind) }
        private(set) var marks: [Mark] = []
        func record(_ mark: Mark) { marks.append(mark) }
    }

    /// The simulator's client, with every archive fetch of `slowKind` taking 1.5 s longer: much
    /// longer than applying a batch, even on a loaded machine (at 300 ms, CI saw the second round
    /// of provider fetches end before the first round's batches were applied and their slots freed).
    struct SlowKindPlatform: PlatformAPI {
        let inner: PlatformClient
        let kinds: [String: ArtifactKind]
        let slowKind: ArtifactKind
        let log: FetchLog

        func listDeployments(since: Timestamp?) async throws -> DeploymentListing { try await inner.listDeployments(since: since) }
        func artifactsExist(_ ids: [String]) async throws -> [String: Bool] { try await inner.artifactsExist(ids) }
        func liveConnectionRefusal() async -> PlatformError? { await inner.liveConnectionRefusal() }
        func fetchDeployments(_ ids: [String]) async throws -> [String: [ArchiveFile]] {
            let kind = kinds[ids[0]]!
            await log.record(.started(kind))
            if kind == slowKind { try await Task.sleep(for: .milliseconds(1500)) }
            let files = try await inner.fetchDeployments(ids)
            await log.record(.finished(kind))
            return files
        }
    }

    @Test(arguments: Backend.allCases)
    func laterKindsDownloadEarlyButApplyInDependencyOrder(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 400, seed: 7) { h in
            // Given a platform whose LlmProvider archives are slow to come
            let listing = try await h.client().listDeployments(since: nil)
            let kinds = Dictionary(uniqueKeysWithValues: listing.deployments.map { ($0.deploymentId, $0.kind) })
            let log = FetchLog()
            let platform = SlowKindPlatform(inner: h.client(), kinds: kinds, slowKind: .llmProvider, log: log)
            var options = SyncOptions()
            options.batchSize = 10
            options.fetchConcurrency = 4

            // When a startup sync runs
            let run = try await SyncEngine(store: f.store, platform: platform, options: options)
                .run(trigger: .cli, requestedBy: Principal(user: "alice", clientAddress: nil))

            // Then it applies everything
            #expect(run.outcome == .succeeded)
            let deployed = await h.platform.all().filter { $0.deployment?.state == .deployed }
            #expect(run.counters.fetched == deployed.count)
            // And another kind's fetch started while LlmProvider fetches were still outstanding
            let marks = await log.marks
            let lastProviderDone = try #require(marks.lastIndex(of: .finished(.llmProvider)))
            #expect(marks[..<lastProviderDone].contains(.started(.llmProxy)))
            // And yet the events, in hub order, come kind by kind in dependency order
            let kindOf = Dictionary(uniqueKeysWithValues: deployed.map { ($0.id, $0.kind) })
            let events = try await f.store.events(after: 0, limit: 10_000)
            #expect(events.count == deployed.count)
            let ranks = events.map { ArtifactKind.fetchOrder.firstIndex(of: kindOf[$0.entityId]!)! }
            let early = zip(events, zip(ranks, ranks.dropFirst())).first { $0.1.0 > $0.1.1 }?.0
            #expect(early == nil, "event \(early?.seq ?? 0) is followed by a kind it depends on")
            #expect(Set(ranks).count == ArtifactKind.allCases.count)
        }
    }
}
