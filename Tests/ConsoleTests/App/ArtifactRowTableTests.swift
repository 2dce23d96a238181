import Core
import PlatformSim
import Testing
import TestSupport

@testable import Console

/// The artifacts view's rows kept up to date change by change are the rows rebuilt from scratch:
/// same order, same sync words, same counts, whatever the hub brings (updates in place, renames,
/// kind changes, creations, deletions, an artifact changed twice between two showings).
struct ArtifactRowTableTests {
    /// (CPU for a while: on a thread of its own, off the cooperative pool.)
    @Test(arguments: [1, 2])
    func changesKeptInPlaceEqualARebuild(seed: UInt64) async throws {
        let mismatch = try await OffPool.runInBackground { Self.firstMismatch(seed: seed) }
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    /// Where the kept rows first differ from a rebuild, nil when they never do.
    static func firstMismatch(seed: UInt64) -> String? {
        var random = SeededRandom(seed: seed)
        let kinds = ArtifactKind.allCases
        var artifacts: [String: ArtifactSummary] = [:]
        func summary(_ id: Int) -> ArtifactSummary {
            var s = Fixtures.summary(
                "id-\(id)", kind: kinds[Int.random(in: 0..<kinds.count, using: &random)],
                state: Bool.random(using: &random) ? .deployed : .undeployed,
                deployedAt: Timestamp(milliseconds: 1_700_000_000_000 + Int64.random(in: 0..<3, using: &random)))
            s.handle = "api-\(Int.random(in: 0..<50, using: &random))"
            return s
        }
        for id in 0..<200 { artifacts["id-\(id)"] = summary(id) }
        // The platform lists most of them, some at another time (out of sync)
        var remote = RemoteMirror()
        _ = remote.replace(with: (0..<180).map { Fixtures.remote("id-\($0)", deployedAt: Timestamp(milliseconds: 1_700_000_000_000)) })
        func context() -> ArtifactRowTable.Context { .init(artifacts: artifacts, reviews: [], remote: remote, keys: ["id-3": 2]) }

        var table = ArtifactRowTable()
        table.rebuild(context())
        for round in 0..<100 {
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                let id = Int.random(in: 0..<260, using: &random), uuid = "id-\(id)"
                table.willChange(uuid, from: artifacts[uuid])
                switch Int.random(in: 0..<4, using: &random) {
                case 0: artifacts[uuid] = nil
                case 1:  // in place: only the state and time move
                    if var s = artifacts[uuid] {
                        s.desiredState = s.desiredState == .deployed ? .undeployed : .deployed
                        s.deployedAt = Timestamp(milliseconds: 1_700_000_000_000 + Int64.random(in: 0..<3, using: &random))
                        artifacts[uuid] = s
                    } else {
                        artifacts[uuid] = summary(id)
                    }
                default: artifacts[uuid] = summary(id)
                }
            }
            table.applyChanges(context())
            var rebuilt = ArtifactRowTable()
            rebuilt.rebuild(context())
            if table.rows != rebuilt.rows { return "round \(round): rows \(table.rows.map(\.summary.uuid)) != \(rebuilt.rows.map(\.summary.uuid))" }
            if table.counts != rebuilt.counts { return "round \(round): counts \(table.counts) != \(rebuilt.counts)" }
            if table.inSync != rebuilt.inSync || table.outOfSync != rebuilt.outOfSync { return "round \(round): sync counts differ" }
            if table.hasChanges { return "round \(round): changes left over" }
        }
        return nil
    }
}
