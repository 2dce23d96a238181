import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import CLI
@testable import Core

/// A read-only session (`GWOPS_READONLY=1` or `[console] readonly = true`) refuses every CLI
/// command that changes the gateway, before touching anything. A new command must be placed in
/// one of the lists below, or this test fails.
struct ReadOnlyCommandTests {
    /// Operator commands that change the gateway, with the arguments that would make them act.
    static let mutating: [String: [String]] = [
        "SyncCommand": ["sync"],
        "Approve": ["orphans", "approve", "--all", "--expect-count", "2"],
        "Reject": ["orphans", "reject", "--all"],
        "ConfirmRetained": ["orphans", "confirm-retained", "--all"],
    ]
    /// Commands that only read, run under read-only to show they still work.
    static let reading: [String: [String]] = [
        "StatusCommand": ["status"],
        "List": ["orphans", "list"],
    ]
    /// The console (read-only bindings are tested with ConsoleApp), the gateway's own service,
    /// and the `orphans` group.
    static let other: Set<String> = ["ConsoleCommand", "ControllerCommand", "OrphansCommand"]

    static func allCommands(_ command: any ParsableCommand.Type = Gwops.self) -> [String] {
        command.configuration.subcommands.flatMap { [String(describing: $0)] + allCommands($0) }
    }

    @Test func everyCommandIsClassified() {
        let known = Set(Self.mutating.keys).union(Self.reading.keys).union(Self.other)
        #expect(Set(Self.allCommands()) == known)
    }

    @Test(arguments: ["GWOPS_READONLY=1", "[console] readonly = true"])
    func mutatingCommandsRefuseAndChangeNothing(mode: String) async throws {
        let f = try await StoreFixture.make(.sqlite)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts(["a", "b", "c"].map { Fixtures.artifact($0) })
        for id in ["a", "b"] {
            _ = try await f.store.recordOrphan(Fixtures.summary(id), verdict: .deletedOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action)
        }
        _ = try await f.store.recordOrphan(Fixtures.summary("c"), verdict: .existsOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action)
        let byConfig = mode.hasPrefix("[console]")
        let config = GwopsBinary.writeConfig(
            in: f.directory, gatewayId: StoreFixture.gatewayId, platformURL: "http://127.0.0.1:9", storePath: f.sqlitePath,
            extra: byConfig ? "[console]\nreadonly = true\n" : "")
        let env = byConfig ? [:] : ["GWOPS_READONLY": "1", "GWOPS_TEST_API_KEY": "k"]
        let before = try await f.store.reviews(statuses: ReviewStatus.allCases, limit: 100).map(\.status)

        for (name, args) in Self.mutating.sorted(by: { $0.key < $1.key }) {
            let (status, _, err) = try await GwopsBinary.run(args + ["--config", config], environment: env, in: f.directory)
            #expect(status == 3, "\(name) exited \(status): \(err)")
            #expect(err.contains("read-only (\(byConfig ? "[console] readonly = true" : "GWOPS_READONLY=1")"), "\(name): \(err)")
            #expect(err.contains("nothing was changed"), "\(name): \(err)")
        }
        // Then nothing changed: no decision, no audit row, no sync run, every artifact kept
        #expect(try await f.store.reviews(statuses: ReviewStatus.allCases, limit: 100).map(\.status) == before)
        #expect(try await f.store.auditEntries(limit: 10).isEmpty)
        #expect(try await f.store.syncRuns(limit: 10).isEmpty)
        #expect(try await f.store.artifactCounts().total == 3)
        // And the reading commands still work
        for (name, args) in Self.reading {
            let (status, _, err) = try await GwopsBinary.run(args + ["--config", config], environment: env, in: f.directory)
            #expect(status == 0, "\(name) exited \(status): \(err)")
        }
    }
}
