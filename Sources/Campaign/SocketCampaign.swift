import ArgumentParser
import ControlSocket
import Core
import Foundation
import PlatformSim
import TestSupport

/// `gwops-campaign control-socket`: hostile HTTP against a real controller's control socket, sent
/// by `nobody` as an account without a role, as a viewer and as an operator (its group named in
/// `[access]` each time). After every round: the controller is alive and answers root, its memory
/// is reported, and for the first two roles nothing changed in the store but a refusal's audit
/// entry (at most one per action and minute). Needs root (setpriv).
struct SocketCampaign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control-socket", abstract: "Hostile HTTP against the control socket as no role, a viewer and an operator.")

    @Option(help: "Rounds per role.") var rounds = 3
    @Option(help: "Requests per round.") var requests = 600
    @Option(help: "Seed of the requests.") var seed: UInt64 = 1
    @Flag(help: "Keep the working directory and print where it is.") var keep = false

    enum Role: String, CaseIterable {
        case none = "no role", viewer, `operator`

        func access(group: String) -> String {
            switch self {
            case .none: "[access]\nviewers = [\"gwops-campaign-nobody\"]\noperators = [\"gwops-campaign-nobody\"]\n"
            case .viewer: "[access]\nviewers = [\"\(group)\"]\noperators = [\"gwops-campaign-nobody\"]\n"
            case .operator: "[access]\nviewers = []\noperators = [\"\(group)\"]\n"
            }
        }
    }

    func run() async throws {
        guard getuid() == 0 else { throw CampaignError("control-socket runs requests as nobody through setpriv: run it as root") }
        let (_, gid) = try GwopsBinary.account("nobody")
        guard let entry = getgrgid(gid) else { throw CampaignError("nobody's group \(gid) has no name") }
        let group = String(cString: entry.pointee.gr_name)
        say("control-socket campaign: \(rounds) rounds of \(requests) hostile requests per role, seed \(seed)")
        var problems: [String] = []
        var lines: [String] = []
        try await SimulatorHarness.with(deployments: 40, seed: seed) { sim in
            let directory = TemporaryDirectory(prefix: "gwops-campaign-socket")
            chmod(directory.path, 0o755)
            defer { keep ? say("kept \(directory.path)") : directory.remove() }
            let socket = directory.file("gw.sock")
            let store = try await Self.seed(sim, directory)
            for (index, role) in Role.allCases.enumerated() {
                let config = GwopsBinary.writeConfig(
                    in: directory, gatewayId: CampaignStore.gatewayId, platformURL: sim.baseURL, storePath: directory.file("gwops.db"),
                    extra: "[control]\nsocket = \"\(socket)\"\n" + role.access(group: group))
                let controller = try GwopsBinary.start(
                    ["controller", "--config", config, "--replica-id", "campaign", "--skip-sync"], logPrefix: "controller-\(role)", in: directory)
                defer { if controller.isRunning { kill(controller.processIdentifier, SIGKILL) } }
                let root = try await Self.waitForSocket(socket, controller)
                var rss: [Int] = []
                for round in 1...rounds {
                    let before = try await StoreState.read(store)
                    let summary = try await Self.attack(socket: socket, seed: seed &+ UInt64(index * 1000 + round), requests: requests, directory)
                    let after = try await StoreState.read(store)
                    rss.append(Self.residentKiB(controller.processIdentifier))
                    var found: [String] = []
                    if !controller.isRunning { found.append("the controller died (status \(controller.terminationStatus))") }
                    do { _ = try await root.status() } catch { found.append("root's status through the socket failed: \(error)") }
                    // (An operator's actions change the store: said, to show the check sees what changes.)
                    let changes = before.changes(to: after)
                    if role != .operator {
                        found += changes
                        if summary.actionsAccepted > 0 { found.append("\(summary.actionsAccepted) actions were accepted") }
                    }
                    let line = "\(role.rawValue) round \(round): \(summary.sent) requests, answers \(summary.answers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); "
                        + "controller RSS \(rss.last! / 1024) MiB"
                        + (role == .operator ? "; the operator's actions: \(changes.isEmpty ? "no change" : changes.joined(separator: ", "))" : "")
                    say(line + (found.isEmpty ? "" : " — PROBLEMS: \(found.joined(separator: "; "))"))
                    problems += found.map { "\(role.rawValue) round \(round): \($0)" }
                    guard controller.isRunning else { break }
                }
                // Memory: what a round adds once the first has warmed the caches must not keep growing.
                if rss.count >= 3, rss.last! - rss[1] > 32 * 1024 {
                    problems.append("\(role.rawValue): the controller grew from \(rss[1] / 1024) to \(rss.last! / 1024) MiB over rounds 2–\(rss.count)")
                }
                lines.append("\(role.rawValue): RSS by round \(rss.map { "\($0 / 1024)" }.joined(separator: " → ")) MiB")
                kill(controller.processIdentifier, SIGTERM)
                await GwopsBinary.exit(of: controller)
                if controller.terminationStatus != 0 { problems.append("\(role.rawValue): the controller exited \(controller.terminationStatus) on SIGTERM") }
            }
            (store as? PostgresStore)?.close()
        }
        say("")
        for line in lines { say(line) }
        say("control-socket campaign: \(problems.count) problems")
        for problem in problems { say("  PROBLEM \(problem)") }
        if !problems.isEmpty { throw ExitCode.failure }
    }

    /// A store synced from the platform, then three of its artifacts deleted there: pending
    /// orphan reviews for the hostile decisions to aim at.
    static func seed(_ sim: SimulatorHarness, _ directory: TemporaryDirectory) async throws -> any GatewayStore {
        let config = GwopsBinary.writeConfig(
            in: directory, gatewayId: CampaignStore.gatewayId, platformURL: sim.baseURL, storePath: directory.file("gwops.db"))
        let env = ["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey]
        for pass in 0..<2 {
            if pass == 1 {
                for artifact in await sim.platform.all().filter({ $0.deployment?.state == .deployed }).prefix(3) {
                    _ = await sim.platform.deleteArtifact(artifact.id)
                }
            }
            let (status, _, err) = try await GwopsBinary.run(["sync", "--config", config], environment: env, in: directory)
            guard status == 0 else { throw CampaignError("seeding sync failed: \(err)") }
        }
        let store = try SQLiteStore(path: directory.file("gwops.db"), gatewayId: CampaignStore.gatewayId, readonly: true)
        guard try await store.reviews(statuses: [.pending], limit: 100).count == 3 else { throw CampaignError("seeding left no 3 pending reviews") }
        return store
    }

    static func waitForSocket(_ socket: String, _ controller: Process) async throws -> ControlClient {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, controller.isRunning {
            if let client = try? await ControlClient.connect(path: socket, environment: [:]) { return client }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CampaignError("the controller's socket \(socket) did not answer")
    }

    /// `gwops-campaign hostile-http` as nobody; its summary.
    static func attack(socket: String, seed: UInt64, requests: Int, _ directory: TemporaryDirectory) async throws -> HostileRequest.Summary {
        let prefix = "hostile-\(seed)"
        let process = try GwopsBinary.start(
            ["hostile-http", "--socket", socket, "--seed", "\(seed)", "--requests", "\(requests)"],
            binary: GwopsBinary.campaign, asUser: "nobody", logPrefix: prefix, in: directory)
        await GwopsBinary.exit(of: process)
        let out = (try? String(contentsOfFile: directory.file("\(prefix).out"), encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0, let summary = try? JSONDecoder().decode(HostileRequest.Summary.self, from: Data(out.utf8)) else {
            let err = (try? String(contentsOfFile: directory.file("\(prefix).err"), encoding: .utf8)) ?? ""
            throw CampaignError("hostile-http failed (\(process.terminationStatus)): \(out) \(err)")
        }
        return summary
    }

    /// The process's resident memory in KiB, from /proc.
    static func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}

/// What a viewer or a stranger must never change: artifacts, reviews, runs, audit entries other
/// than refusals (one per account, action and minute at most).
struct StoreState: Equatable {
    var artifacts: [String]
    var reviews: [String]
    var runs: [String]
    var audit: [String]
    var refusals: Int

    static func read(_ store: any GatewayStore) async throws -> StoreState {
        let artifacts = try await store.artifactSummaries().map { "\($0)" }.sorted()
        let reviews = try await store.reviews(statuses: ReviewStatus.allCases, limit: 100_000).map { "\($0.id) \($0.status) \($0.updatedAt.microseconds)" }
        let runs = try await store.syncRuns(limit: 1000).map { "\($0.id) \($0.outcome)" }
        let entries = try await store.auditEntries(limit: 100_000)
        return StoreState(
            artifacts: artifacts, reviews: reviews, runs: runs,
            audit: entries.filter { $0.outcome != "refused" }.map { "\($0.id)" }, refusals: entries.count { $0.outcome == "refused" })
    }

    func changes(to after: StoreState) -> [String] {
        var changes: [String] = []
        if artifacts != after.artifacts { changes.append("artifacts changed") }
        if reviews != after.reviews { changes.append("reviews changed") }
        if runs != after.runs { changes.append("sync runs changed (\(runs.count) → \(after.runs.count))") }
        if audit != after.audit { changes.append("audit entries other than refusals were added") }
        // Two kinds of action (decisions, syncs) of three decisions each, once a minute at most.
        if after.refusals - refusals > 8 { changes.append("\(after.refusals - refusals) refusals audited in one round") }
        return changes
    }
}

/// `gwops-campaign hostile-http`: one round of hostile requests, as whichever account runs it.
struct HostileHTTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hostile-http", abstract: "Send hostile HTTP to a control socket; print a summary.")

    @Option(help: "The control socket.") var socket: String
    @Option(help: "Seed of the requests.") var seed: UInt64 = 1
    @Option(help: "How many.") var requests = 600

    func run() throws {
        let summary = HostileRequest.run(HostileRequest.generate(seed: seed, count: requests), path: socket)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }
}
