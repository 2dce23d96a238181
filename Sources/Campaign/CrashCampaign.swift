import ArgumentParser
import Core
import Foundation
import PlatformSim
import TestSupport

/// `gwops-campaign`: kills gwops processes with SIGKILL at random moments and checks the store
/// after every kill (scripts/crash-campaign runs it; RELIABILITY.md has the results).
@main
struct CrashCampaign: AsyncParsableCommand {

    static let configuration = CommandConfiguration(
        commandName: "gwops-campaign",
        abstract: "Reliability campaigns: SIGKILL gwops at random moments and check the store after each kill; hostile clients of the control socket.",
        subcommands: [
            SyncKills.self, ReplicaKills.self, RestartCampaign.self, BombCampaign.self, CampaignController.self, SocketCampaign.self,
            HostileClientsCommand.self, HostileHTTPCommand.self,
        ])
}

/// Options every campaign takes.
struct CampaignOptions: ParsableArguments {
    @Option(help: "How many kills.") var kills = 100
    @Option(help: "Deployments on the simulated platform.") var deployments = 10_000
    @Option(help: "sqlite or postgres.") var backend = "sqlite"
    @Option(help: "Seed for the kill moments and the platform's changes.") var seed: UInt64 = 1
    @Flag(help: "A short run for CI: 10 kills, 2,000 deployments.") var quick = false
    @Flag(help: "Keep the working directory (stores, configs, process logs) and print where it is.") var keep = false

    var killCount: Int { quick ? min(kills, 10) : kills }
    var deploymentCount: Int { quick ? min(deployments, 2_000) : deployments }

    func validate() throws {
        guard backend == "sqlite" || backend == "postgres" else { throw ValidationError("--backend is sqlite or postgres") }
        guard kills > 0, deployments > 0 else { throw ValidationError("--kills and --deployments must be positive") }
    }
}

/// A store for the campaign: a SQLite file or a database on a throwaway PostgreSQL cluster.
struct CampaignStore {
    let backend: String
    let directory: TemporaryDirectory
    let sqlitePath: String
    /// The PostgreSQL database, nil on SQLite.
    let database: String?
    let server: PostgresServer?
    static let gatewayId = "gw-campaign"

    var postgresURL: String? { database.flatMap { server?.url(database: $0) } }

    static func make(_ backend: String, in directory: TemporaryDirectory) async throws -> CampaignStore {
        guard backend == "postgres" else {
            return CampaignStore(backend: backend, directory: directory, sqlitePath: directory.file("gwops.db"), database: nil, server: nil)
        }
        let server = try PostgresServer.launch(durable: true)
        try await StoreFixture.createDatabase("campaign", port: server.port)
        return CampaignStore(
            backend: backend, directory: directory, sqlitePath: "unused", database: "campaign", server: server)
    }

    /// An empty store of the same backend (a new file or database), the old one removed.
    func fresh(_ n: Int) async throws -> CampaignStore {
        if let server {
            try await StoreFixture.createDatabase("campaign_\(n)", port: server.port)
            return CampaignStore(
                backend: backend, directory: directory, sqlitePath: sqlitePath, database: "campaign_\(n)", server: server)
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlitePath + suffix) }
        return CampaignStore(
            backend: backend, directory: directory, sqlitePath: directory.file("gwops-\(n).db"), database: nil, server: nil)
    }

    /// After a kill: on PostgreSQL, waits for the dead client's sessions to end (one can still
    /// commit what the client sent before it died), so the checks see the settled store.
    func settle() async throws {
        guard let server, let database else { return }
        try await StoreFixture.waitForOtherSessionsToEnd(database: database, port: server.port)
    }

    func open() async throws -> any GatewayStore {
        if let postgresURL { return try await PostgresStore.connect(url: postgresURL, gatewayId: Self.gatewayId, password: nil) }
        return try SQLiteStore(path: sqlitePath, gatewayId: Self.gatewayId)
    }

    /// The storage-level check: `PRAGMA integrity_check` on SQLite (PostgreSQL has none to run).
    func integrityProblems() throws -> [String] {
        guard postgresURL == nil else { return [] }
        return try SQLiteStore(path: sqlitePath, gatewayId: Self.gatewayId).integrityCheck()
    }

    func writeConfig(platformURL: String, extra: String = "") -> String {
        let path = GwopsBinary.writeConfig(
            in: directory, gatewayId: Self.gatewayId, platformURL: platformURL, storePath: sqlitePath, extra: extra)
        if let postgresURL {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let replaced = text.replacingOccurrences(of: #"backend = "sqlite""#, with: #"backend = "postgres""#)
                .replacingOccurrences(of: #"path = "unused""#, with: "url = \"\(postgresURL)\"")
            try? replaced.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return path
    }

    func remove(keeping: Bool = false) {
        server?.stop()
        if keeping {
            say("kept \(directory.path)")
        } else {
            directory.remove()
        }
    }
}

/// Tallies a campaign's kills (or restarts) and the problems found after them.
struct Tally {
    var noun = "kills"
    var verb = "killed"
    var kills = 0
    /// Runs that ended by themselves before their kill (not counted as kills).
    var finishedFirst = 0
    var killedIn: [String: Int] = [:]
    var problems: [String] = []

    func report(_ title: String) {
        let extra = finishedFirst > 0 ? " (\(finishedFirst) more runs finished before their kill, not counted)" : ""
        say("\n\(title): \(kills) \(noun), \(problems.count) problems\(extra)")
        for (moment, count) in killedIn.sorted(by: { $0.key < $1.key }) { say("  \(verb) \(moment): \(count)") }
        for problem in problems.prefix(50) { say("  PROBLEM \(problem)") }
    }
}

/// Prints a line at once (progress stays in order with errors, also when piped).
func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// A seeded generator, so a campaign's kill moments can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
