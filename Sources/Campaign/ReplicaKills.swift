import ArgumentParser
import Core
import Foundation
import PlatformSim
import TestSupport

/// `gwops-campaign replica`: two `gwops controller` replicas on one store while the platform
/// churns; one is killed with SIGKILL at random moments and restarted. At the end both must reach
/// the head, and the killed one's apply log must hold every event once, in order.
struct ReplicaKills: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replica", abstract: "Kill a `gwops controller` replica while it applies.")

    @OptionGroup var options: CampaignOptions
    @Option(help: "Platform changes per second while the kills go on.") var churn: Double = 50

    func run() async throws {
        var rng = SplitMix(state: options.seed)
        var tally = Tally()
        let env = ["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey]
        let deployments = min(options.deploymentCount, 1_000)
        say("replica campaign: \(options.killCount) kills, \(deployments) deployments, churn \(Int(churn))/s, \(options.backend), seed \(options.seed)")
        try await SimulatorHarness.with(deployments: deployments, seed: options.seed) { h in
            let directory = TemporaryDirectory(prefix: "gwops-campaign-replica")
            let store = try await CampaignStore.make(options.backend, in: directory)
            defer { store.remove(keeping: options.keep) }
            let config = store.writeConfig(platformURL: h.baseURL, extra: "[controller.sync]\norphan_policy = \"auto\"\n")
            func start(_ replica: String, _ n: Int) throws -> Process {
                try GwopsBinary.start(
                    ["controller", "--config", config, "--replica-id", replica, "--apply-log", directory.file("\(replica).log")],
                    binary: GwopsBinary.campaign, environment: env, logPrefix: "\(replica)-\(n)", in: directory)
            }
            let survivor = try start("r1", 0)
            var victim = try start("r2", 0)
            defer { for p in [survivor, victim] where p.isRunning { p.terminate() } }
            let opened = try await store.open()
            defer { (opened as? PostgresStore)?.close() }
            try await Self.waitForRunning(["r1-0": survivor, "r2-0": victim], opened, directory)
            let churner = Task { await h.simulator.churn(perSecond: churn, seed: options.seed) }
            for kill in 1...options.killCount {
                try await Task.sleep(for: .milliseconds(Int.random(in: 100...1_500, using: &rng)))
                Foundation.kill(victim.processIdentifier, SIGKILL)
                victim.waitUntilExit()
                tally.kills += 1
                tally.killedIn["while applying under churn", default: 0] += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...500, using: &rng)))
                victim = try start("r2", kill)
                if kill % 10 == 0 { say("\(kill) kills") }
            }
            churner.cancel()
            _ = await churner.value
            try await Self.waitForQuietHead(90, opened)
            for p in [survivor, victim] { p.terminate() }
            for p in [survivor, victim] { p.waitUntilExit() }
            let head = try await opened.position().headSeq
            tally.problems += try await Self.applyLogProblems(["r1", "r2"], opened, directory)
            tally.problems += try await StoreInvariants.violations(in: opened)
            tally.problems += try store.integrityProblems().map { "integrity_check: \($0)" }
            say("head \(head) events")
        }
        tally.report("replica campaign (\(options.backend))")
        if !tally.problems.isEmpty { throw ExitCode(1) }
    }

    /// Each replica's apply log against the hub: every seq 1…head once, in order.
    static func applyLogProblems(_ replicas: [String], _ store: any GatewayStore, _ directory: TemporaryDirectory) async throws -> [String] {
        let head = try await store.position().headSeq
        var problems: [String] = []
        for replica in replicas {
            let seqs = (try? ApplyLog.seqs(directory.file("\(replica).log"))) ?? []
            let duplicates = seqs.count - Set(seqs).count
            let missingSeqs = head == 0 ? [] : Set(1...head).subtracting(seqs).sorted()
            let missing = missingSeqs.count
            let inOrder = zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 }
            if duplicates > 0 || missing > 0 || !inOrder {
                problems.append(
                    "\(replica) applied \(seqs.count) of \(head) events: \(missing) missing \(missingSeqs.prefix(10)), \(duplicates) applied twice\(inOrder ? "" : ", out of order")")
            }
        }
        return problems
    }

    /// Waits until the hub's head has not moved for 3 s and every replica has applied it: a heal
    /// or reconnect sync may still publish after the platform went quiet.
    static func waitForQuietHead(_ seconds: Double, _ store: any GatewayStore) async throws {
        var last: (head: Int64, since: ContinuousClock.Instant) = (-1, .now)
        try await waitUntil(seconds, "every replica at a head that stays put for 3 s") {
            let head = try await store.position().headSeq
            if head != last.head { last = (head, .now) }
            let allThere = try await store.replicas().allSatisfy { $0.appliedSeq == head && $0.state == .running }
            return allThere && ContinuousClock.now - last.since >= .seconds(3)
        }
    }

    /// Waits until every replica in `processes` (keyed by log prefix) is running; one that exits
    /// first ends the wait with the last line it wrote to stderr.
    static func waitForRunning(_ processes: [String: Process], _ store: any GatewayStore, _ directory: TemporaryDirectory) async throws {
        try await waitUntil(60, "\(processes.count) replicas running") {
            for (prefix, process) in processes where !process.isRunning {
                let err = (try? String(contentsOfFile: directory.file("\(prefix).err"), encoding: .utf8)) ?? ""
                let last = err.split(separator: "\n").last.map(String.init) ?? "(no output)"
                throw CampaignError("replica \(prefix) exited with status \(process.terminationStatus) before running: \(last)")
            }
            return try await store.replicas().filter { $0.state == .running }.count == processes.count
        }
    }

    static func waitUntil(_ seconds: Double, _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            do {
                if try await condition() { return }
            } catch let error as CampaignError {
                throw error  // the condition's verdict that waiting longer will not help
            } catch {}  // the store may be busy or restarting: ask again
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CampaignError("not reached within \(Int(seconds)) s: \(what)")
    }
}
