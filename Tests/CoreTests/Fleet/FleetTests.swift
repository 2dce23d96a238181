import Foundation
import PlatformSim
import Synchronization
import Testing
import TestSupport
@testable import Core

/// Three `gwops controller` processes on one PostgreSQL database and the simulator in churn mode.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct FleetTests {
    @Test func threeControllersOnPostgresConvergeAndAKilledOneCatchesUp() async throws {
        let f = try await StoreFixture.make(.postgres)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 150, seed: 21) { h in
            let config = GwopsBinary.writeConfig(
                in: f.directory, gatewayId: StoreFixture.gatewayId, platformURL: h.baseURL, storePath: "unused",
                extra: "[controller.sync]\norphan_policy = \"auto\"\n")
                .replacingStore(with: f.url!)
            let env = ["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey]
            func start(_ r: Int) throws -> Process {
                try GwopsBinary.start(
                    ["controller", "--config", config, "--replica-id", "r\(r)", "--apply-log", f.directory.file("r\(r).log")],
                    binary: GwopsBinary.campaign, environment: env, logPrefix: "r\(r)-\(UUID().uuidString.prefix(4))", in: f.directory)
            }
            // Given three controllers and a platform changing 20 times a second
            var processes = [try start(1), try start(2), try start(3)]
            defer { for p in processes where p.isRunning { p.terminate() } }
            try await Self.wait(60, "three replicas running", f) {
                try await f.store.replicas().filter { $0.state == .running }.count == 3
            }
            let churn = Task { await h.simulator.churn(perSecond: 20, seed: 21) }
            // When one is killed mid-way and restarted
            try await Task.sleep(for: .seconds(8))
            kill(processes[1].processIdentifier, SIGKILL)
            await GwopsBinary.exit(of: processes[1])
            try await Task.sleep(for: .seconds(3))
            processes[1] = try start(2)
            try await Task.sleep(for: .seconds(19))
            churn.cancel()
            _ = await churn.value
            // Then, once the platform is quiet, every replica reaches a head that stays put (a
            // reconnect or heal sync may still publish for a moment)
            let lastMove = Mutex<(head: Int64, at: ContinuousClock.Instant)>((-1, .now))
            try await Self.wait(60, "every replica at a head that stays put for 3 s", f) {
                let head = try await f.store.position().headSeq
                let since = lastMove.withLock { last in
                    if last.head != head { last = (head, .now) }
                    return last.at
                }
                let there = try await f.store.replicas().allSatisfy { $0.appliedSeq == head && $0.state == .running }
                return there && ContinuousClock.now - since >= .seconds(3)
            }
            // And the store holds exactly what the platform deploys
            let deployedOnPlatform = Set(await h.platform.all().filter { $0.deployment?.state == .deployed }.map(\.id))
            let deployedHere = Set(try await f.store.artifactSummaries().filter { $0.desiredState == .deployed }.map(\.uuid))
            #expect(deployedHere == deployedOnPlatform, "\(deployedHere.symmetricDifference(deployedOnPlatform).count) differ")
            for p in processes { p.terminate() }
            for p in processes { await GwopsBinary.exit(of: p) }
            // And each replica applied every event once, in order; the killed one resumed after its cursor
            let head = try await f.store.position().headSeq
            for r in 1...3 {
                let seqs = try ApplyLog.seqs(f.directory.file("r\(r).log"))
                #expect(seqs == Array(1...head), "replica r\(r): \(seqs.count) applied of \(head), duplicates \(seqs.count - Set(seqs).count)")
            }
        }
    }
}

extension FleetTests {
    /// `waitUntil`, and on a timeout records each replica's row and the tail of each controller's
    /// stderr, so a failure in a loaded CI run says what the fleet was doing.
    static func wait(_ seconds: Double, _ what: String, _ f: StoreFixture, _ condition: @Sendable () async throws -> Bool) async throws {
        do {
            try await waitUntil(seconds: seconds, condition)
        } catch {
            let head = (try? await f.store.position().headSeq) ?? -1
            let replicas = (try? await f.store.replicas()) ?? []
            let rows = replicas.map { "\($0.replicaId) \($0.state) applied \($0.appliedSeq)" }.joined(separator: "; ")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: f.directory.path)) ?? []
            let tails = files.filter { $0.hasSuffix(".err") }.sorted().map { name in
                let text = (try? String(contentsOfFile: f.directory.file(name), encoding: .utf8)) ?? ""
                return "\(name): " + text.split(separator: "\n").suffix(5).joined(separator: " | ")
            }
            Issue.record("not reached: \(what); head \(head); \(rows)\n\(tails.joined(separator: "\n"))")
            throw error
        }
    }
}

extension String {
    /// The config at this path with its [store] section pointed at PostgreSQL `url`.
    func replacingStore(with url: String) -> String {
        let text = (try? String(contentsOfFile: self, encoding: .utf8)) ?? ""
        let replaced = text.replacingOccurrences(of: #"backend = "sqlite""#, with: #"backend = "postgres""#)
            .replacingOccurrences(of: #"path = "unused""#, with: "url = \"\(url)\"")
        try? replaced.write(toFile: self, atomically: true, encoding: .utf8)
        return self
    }
}
