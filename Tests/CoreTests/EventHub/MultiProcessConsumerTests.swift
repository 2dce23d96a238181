import Foundation
import Testing
import TestSupport
@testable import Core

/// Three `gwops controller` processes consume one SQLite hub (data_version wakeups across
/// processes).
struct MultiProcessConsumerTests {
    @Test func threeConsumerProcessesApplyEveryEventOnceInOrder() async throws {
        // Given a store and three replica processes (no platform: --skip-sync)
        let f = try await StoreFixture.make(.sqlite)
        defer { f.remove() }
        let config = GwopsBinary.writeConfig(
            in: f.directory, gatewayId: StoreFixture.gatewayId, platformURL: "http://127.0.0.1:9", storePath: f.sqlitePath)
        var processes: [Process] = []
        for r in 1...3 {
            processes.append(
                try GwopsBinary.start(
                    ["controller", "--config", config, "--replica-id", "r\(r)", "--skip-sync", "--apply-log", f.directory.file("r\(r).log")],
                    binary: GwopsBinary.campaign, logPrefix: "r\(r)", in: f.directory))
        }
        defer { for p in processes where p.isRunning { p.terminate() } }
        try await waitUntil(seconds: 30) { try await f.store.replicas().filter { $0.state == .running }.count == 3 }

        // When 500 events are committed in 100 transactions from this process
        for batch in 0..<100 {
            _ = try await f.store.publish((0..<5).map { EventHubTests.event("e\(batch)-\($0)") })
        }
        // Then every replica's cursor reaches the head
        try await waitUntil(seconds: 30) { try await f.store.replicas().allSatisfy { $0.appliedSeq == 500 } }
        for p in processes { p.terminate() }
        for p in processes { await GwopsBinary.exit(of: p) }

        // And each applied 1...500 exactly once, in order, and stopped cleanly
        for r in 1...3 {
            let seqs = try ApplyLog.seqs(f.directory.file("r\(r).log"))
            #expect(seqs == Array(1...500), "replica r\(r)")
        }
        for (i, p) in processes.enumerated() {
            let stderr = (try? String(contentsOfFile: f.directory.file("r\(i + 1).err"), encoding: .utf8)) ?? ""
            #expect(p.terminationReason == .exit && p.terminationStatus == 0, "r\(i + 1): \(p.terminationStatus) \(stderr.suffix(600))")
        }
        #expect(try await f.store.replicas().allSatisfy { $0.state == .stopped })
    }
}
