import ArgumentParser
import CLI
import Core
import Foundation
import PlatformSim
import Controller
import ServiceLifecycle

/// `gwops-demo platform-sim`: the simulated platform API on loopback.
struct PlatformSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform-sim", abstract: "Serve a simulated platform API on 127.0.0.1 (tests, demo, benchmarks).")

    @Option(name: .long, help: "Loopback address and port (port 0 picks a free one).") var listen = "127.0.0.1:9243"
    @Option(name: .long, help: "How many artifacts to generate.") var deployments = 1000
    @Option(name: .long, help: "Seed for the deterministic generator.") var seed: UInt64 = 1
    @Option(name: .long, help: "The api-key clients must send.") var apiKey: String?
    @Option(name: .long, help: "Read the api-key from this environment variable instead.") var apiKeyEnv: String?
    @Option(name: .long, help: "Random platform changes per second, announced on the live path (0: none).") var churn: Double = 0
    @Option(name: .long, help: "Misbehave from the start with this catalog fault (repeatable; `--fault list` shows them).")
    var fault: [String] = []

    func validate() throws {
        guard let (host, _) = Self.split(listen) else {
            throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:9243 (got \(listen))")
        }
        guard host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.") else {
            throw ValidationError("--listen must be a loopback address: the simulator's admin endpoints have no other protection")
        }
        guard (apiKey == nil) != (apiKeyEnv == nil) || fault.contains("list") else {
            throw ValidationError("pass exactly one of --api-key or --api-key-env")
        }
        guard deployments >= 0 else { throw ValidationError("--deployments must be 0 or more") }
        guard churn >= 0, churn <= 10_000 else { throw ValidationError("--churn must be between 0 and 10000 changes per second") }
        for name in fault where name != "list" && HostileCatalog.named(name) == nil {
            throw ValidationError("--fault \(name): no such fault; `--fault list` shows the \(HostileCatalog.all.count) there are")
        }
    }

    static func split(_ listen: String) -> (String, Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    func run() async throws {
        if fault.contains("list") {
            for hostile in HostileCatalog.all { print("\(hostile.name)\t\(hostile.summary)") }
            return
        }
        let key: String
        if let apiKey {
            key = apiKey
        } else if let name = apiKeyEnv, let value = ProcessInfo.processInfo.environment[name], !value.isEmpty {
            key = value
        } else {
            throw CLIFailure(message: "environment variable \(apiKeyEnv ?? "") is not set", code: 2)
        }
        let (host, port) = Self.split(listen)!
        let platform = SimulatedPlatform(deployments: deployments, seed: seed)
        for name in fault { await platform.addFault(named: name) }
        let simulator = PlatformSimulator(platform: platform, apiKey: key)
        let count = deployments, seed = self.seed
        let rate = churn
        let service = SimulatorService(simulator: simulator, host: host, port: port) { bound in
            print("platform-sim listening on http://\(host):\(bound) (\(count) artifacts, seed \(seed)\(rate > 0 ? ", churn \(rate)/s" : ""))")
            fflush(nil)
        }
        let churn = LoopService("churn") {
            await simulator.churn(perSecond: rate, seed: seed)
            try await gracefulShutdown()  // none asked for: wait to be stopped
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [service, churn], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Runtime.logger("gwops.platform-sim", level: .warning)))
        try await group.run()
    }
}

/// Runs the simulator under ServiceLifecycle, stopping on graceful shutdown.
struct SimulatorService: Service {
    let simulator: PlatformSimulator
    let host: String
    let port: Int
    let onListening: @Sendable (Int) -> Void

    /// Serves until graceful shutdown (the server quiesces: idle connections are closed, open
    /// requests answered) or cancellation.
    func run() async throws {
        do {
            try await simulator.run(host: host, port: port) { onListening($0) }
        } catch is CancellationError {
            // Stopped.
        }
    }
}
