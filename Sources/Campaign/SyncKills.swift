import ArgumentParser
import Core
import Foundation
import PlatformSim
import TestSupport

/// `gwops-campaign sync`: `gwops sync` killed at random moments of full syncs and of resyncs.
/// After each kill: the storage check, the store invariants, then a sync run to completion that
/// must converge to the platform (orphans deleted by `orphan_policy = "auto"`, so deletions are
/// killed too).
struct SyncKills: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync", abstract: "Kill `gwops sync` at random moments.")

    @OptionGroup var options: CampaignOptions

    func run() async throws {
        var rng = SplitMix(state: options.seed)
        var tally = Tally()
        let env = ["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey]
        say("sync campaign: \(options.killCount) kills, \(options.deploymentCount) deployments, \(options.backend), seed \(options.seed)")
        try await SimulatorHarness.with(deployments: options.deploymentCount, seed: options.seed) { h in
            let directory = TemporaryDirectory(prefix: "gwops-campaign-sync")
            var store = try await CampaignStore.make(options.backend, in: directory)
            defer { store.remove(keeping: options.keep) }
            let policy = "[controller.sync]\norphan_policy = \"auto\"\n"
            var config = store.writeConfig(platformURL: h.baseURL, extra: policy)
            // How long each kind of run takes here, so the kills spread over whole runs.
            let fullSeconds = try await Self.sync(config, env, directory)
            _ = await Self.changePlatform(h.platform, &rng)
            let resyncSeconds = try await Self.sync(config, env, directory)
            say("an unkilled full sync took \(f2(fullSeconds)) s, a resync \(f2(resyncSeconds)) s")

            // A run that finishes before its kill is not counted: every counted kill cut a
            // process short (during startup or a run's phase).
            var attempt = 0
            while tally.kills < options.killCount {
                attempt += 1
                guard attempt <= options.killCount * 3 else {
                    throw CampaignError("\(tally.finishedFirst) of \(attempt - 1) runs finished before their kill; runs too short to kill")
                }
                let n = tally.kills + 1
                let full = attempt % 2 == 1
                if full {
                    store = try await store.fresh(attempt)
                    config = store.writeConfig(platformURL: h.baseURL, extra: policy)
                } else {
                    _ = await Self.changePlatform(h.platform, &rng)
                }
                let window = (full ? fullSeconds : resyncSeconds) * 1.1
                let delay = Double.random(in: 0...window, using: &rng)
                let process = try GwopsBinary.start(["sync", "--config", config], environment: env, logPrefix: "kill\(n)", in: directory)
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                guard process.terminationReason == .uncaughtSignal else {
                    tally.finishedFirst += 1
                    continue
                }
                tally.kills += 1

                try await store.settle()
                let opened = try await store.open()
                let moment = await Self.moment(opened)
                tally.killedIn[moment, default: 0] += 1
                let label = "kill \(n) (\(full ? "full sync" : "resync"), \(f2(delay)) s, \(moment))"
                tally.problems += try store.integrityProblems().map { "\(label): integrity_check: \($0)" }
                tally.problems += try await StoreInvariants.violations(in: opened).map { "\(label): \($0)" }

                // The next sync takes over the dead run's lease and converges.
                do {
                    _ = try await Self.sync(config, env, directory)
                } catch {
                    tally.problems.append("\(label): the next sync failed: \(error)")
                }
                tally.problems += try await Self.divergence(opened, h.platform).map { "\(label), then a full run: \($0)" }
                tally.problems += try await StoreInvariants.violations(in: opened).map { "\(label), then a full run: \($0)" }
                (opened as? PostgresStore)?.close()
                if n % 10 == 0 { say("\(n) kills, \(tally.problems.count) problems") }
            }
        }
        tally.report("sync campaign (\(options.backend))")
        if !tally.problems.isEmpty { throw ExitCode(1) }
    }

    /// Runs `gwops sync` to completion; returns its duration.
    static func sync(_ config: String, _ env: [String: String], _ directory: TemporaryDirectory) async throws -> Double {
        let start = ContinuousClock.now
        let (status, out, err) = try await GwopsBinary.run(["sync", "--config", config], environment: env, in: directory)
        guard status == 0 else { throw CampaignError("gwops sync exited \(status): \(out) \(err)") }
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Where the killed run was: its phase, or before it began (opening the store, migrating).
    static func moment(_ store: any GatewayStore) async -> String {
        guard let run = try? await store.syncRuns(limit: 1).first, run.outcome == .running else { return "before its run began" }
        return "while \(run.phase.rawValue)"
    }

    /// Redeploys 5%, undeploys 0.5%, drops 0.3% of deployments and deletes 0.3% of artifacts.
    static func changePlatform(_ platform: SimulatedPlatform, _ rng: inout SplitMix) async -> Int {
        let ids = await platform.all().filter { $0.deployment != nil }.map(\.id).shuffled(using: &rng)
        var index = 0
        func take(_ fraction: Double) -> ArraySlice<String> {
            let n = max(1, Int(Double(ids.count) * fraction))
            defer { index = min(ids.count, index + n) }
            return ids[index..<min(ids.count, index + n)]
        }
        for id in take(0.05) { _ = await platform.deploy(id) }
        for id in take(0.005) { _ = await platform.undeploy(id) }
        for id in take(0.003) { _ = await platform.deleteDeployment(id) }
        for id in take(0.003) { _ = await platform.deleteArtifact(id) }
        return index
    }

    /// How the store differs from the platform's deployed artifacts.
    static func divergence(_ store: any GatewayStore, _ platform: SimulatedPlatform) async throws -> [String] {
        let onPlatform = Dictionary(uniqueKeysWithValues: await platform.all().compactMap { a in
            a.deployment.flatMap { $0.state == .deployed ? (a.id, $0.deploymentId) : nil }
        })
        let here = Dictionary(uniqueKeysWithValues: try await store.artifactSummaries().filter { $0.desiredState == .deployed }.map {
            ($0.uuid, $0.deploymentId ?? "")
        })
        var problems: [String] = []
        let missing = Set(onPlatform.keys).subtracting(here.keys), extra = Set(here.keys).subtracting(onPlatform.keys)
        if !missing.isEmpty { problems.append("\(missing.count) deployed artifacts missing, e.g. \(missing.first!)") }
        if !extra.isEmpty { problems.append("\(extra.count) artifacts deployed here but not on the platform, e.g. \(extra.first!)") }
        let stale = onPlatform.filter { here[$0.key] != nil && here[$0.key] != $0.value }
        if !stale.isEmpty { problems.append("\(stale.count) artifacts on an old deployment, e.g. \(stale.first!.key)") }
        return problems
    }
}

struct CampaignError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func f2(_ value: Double) -> String { String(format: "%.2f", value) }
