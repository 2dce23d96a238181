import ArgumentParser
import Core
import Foundation
import PlatformSim
import TestSupport

/// `gwops-campaign pg-restart`: the PostgreSQL server restarted at random moments, first under
/// `gwops sync` runs, then under two `gwops controller` replicas while the platform churns.
/// After each sync restart the store invariants hold and the next sync converges; at the end
/// of the fleet phase both replicas reach the head with every event applied once, in order.
struct RestartCampaign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pg-restart", abstract: "Restart PostgreSQL under syncs and under a fleet.")

    @OptionGroup var options: CampaignOptions

    func run() async throws {
        var rng = SplitMix(state: options.seed)
        var tally = Tally(noun: "restarts", verb: "restarted")
        let env = ["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey]
        let restarts = max(1, options.killCount / 2)
        say("PostgreSQL restart campaign: \(restarts) restarts under syncs, \(restarts) under a fleet, seed \(options.seed)")
        try await SimulatorHarness.with(deployments: options.deploymentCount, seed: options.seed) { h in
            let directory = TemporaryDirectory(prefix: "gwops-campaign-restart")
            let store = try await CampaignStore.make("postgres", in: directory)
            defer { store.remove(keeping: options.keep) }
            guard let server = store.server else { throw CampaignError("no PostgreSQL server") }
            let config = store.writeConfig(platformURL: h.baseURL, extra: "[controller.sync]\norphan_policy = \"auto\"\n")
            let fullSeconds = try await SyncKills.sync(config, env, directory)

            // Under syncs
            for n in 1...restarts {
                _ = await SyncKills.changePlatform(h.platform, &rng)
                let process = try GwopsBinary.start(["sync", "--config", config], environment: env, logPrefix: "sync\(n)", in: directory)
                try await Task.sleep(for: .milliseconds(Int(Double.random(in: 0...fullSeconds, using: &rng) * 1000)))
                try server.restart()
                await GwopsBinary.exit(of: process)
                tally.kills += 1
                tally.killedIn[process.terminationStatus == 0 ? "under a sync that finished anyway" : "under a sync that failed, as it should", default: 0] += 1
                let label = "restart \(n) under a sync"
                let opened = try await store.open()
                defer { (opened as? PostgresStore)?.close() }
                tally.problems += try await StoreInvariants.violations(in: opened).map { "\(label): \($0)" }
                do { _ = try await SyncKills.sync(config, env, directory) } catch { tally.problems.append("\(label): the next sync failed: \(error)") }
                tally.problems += try await SyncKills.divergence(opened, h.platform).map { "\(label), then a full run: \($0)" }
            }

            // Under a fleet
            func start(_ replica: String) throws -> Process {
                try GwopsBinary.start(
                    ["controller", "--config", config, "--replica-id", replica, "--apply-log", directory.file("\(replica).log")],
                    binary: GwopsBinary.campaign, environment: env, logPrefix: replica, in: directory)
            }
            let fleet = [try start("r1"), try start("r2")]
            defer { for p in fleet where p.isRunning { p.terminate() } }
            let opened = try await store.open()
            defer { (opened as? PostgresStore)?.close() }
            try await ReplicaKills.waitForRunning(["r1": fleet[0], "r2": fleet[1]], opened, directory)
            let churner = Task { await h.simulator.churn(perSecond: 30, seed: options.seed) }
            for _ in 1...restarts {
                try await Task.sleep(for: .milliseconds(Int.random(in: 500...2_000, using: &rng)))
                try server.restart()
                tally.kills += 1
                tally.killedIn["under a fleet", default: 0] += 1
            }
            churner.cancel()
            _ = await churner.value
            try await ReplicaKills.waitForQuietHead(120, opened)
            for p in fleet { p.terminate() }
            for p in fleet { p.waitUntilExit() }
            tally.problems += try await ReplicaKills.applyLogProblems(["r1", "r2"], opened, directory)
            tally.problems += try await StoreInvariants.violations(in: opened).map { "after the fleet: \($0)" }
        }
        tally.report("PostgreSQL restart campaign")
        if !tally.problems.isEmpty { throw ExitCode(1) }
    }
}
