import ArgumentParser
import CLI
import Console
import ControlSocket
import Core
import Foundation
import Logging
import PlatformSim
import ServiceLifecycle

/// `gwops-demo`: a simulated platform, three controllers on one SQLite store and churn, then the
/// console through the first controller's socket. No setup.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Try everything with one command: a simulated platform, a store, three replicas and churn.")

    @Option(name: .long, help: "Keep the store in DIR (default: a temporary directory, removed on exit).") var data: String?
    @Option(name: .long, help: "Deployments the simulated platform starts with.") var deployments = 500
    @Option(name: .long, help: "Seed of the simulated platform.") var seed: UInt64 = 7
    @Flag(name: .long, help: "No UI: run for --duration, then print `gwops status --json`.") var headless = false
    @Option(name: .long, help: "How long a headless demo runs (e.g. 10s).") var duration = "10s"
    @Option(name: .long, help: "Console theme.") var theme = "default"
    @Flag(name: .long, help: "Open the console read-only.") var readonly = false

    func validate() throws {
        guard DurationParser.parse(duration) != nil else { throw ValidationError("--duration \(duration) is not a duration (e.g. 10s, 2m)") }
        guard (1...200_000).contains(deployments) else { throw ValidationError("--deployments must be between 1 and 200000") }
    }

    func run() async throws {
        let dir = data ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("gwops-demo-\(UUID().uuidString.prefix(8))")
        defer { if data == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let sink = FileSink(path: (dir as NSString).appendingPathComponent("demo.log"))
        let logger = sink.logger("gwops.demo")
        let simulator = PlatformSimulator(platform: SimulatedPlatform(deployments: deployments, seed: seed), apiKey: DemoFleet.apiKey)
        // The simulator stops last and gracefully, as the controllers do.
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let simulation = ServiceGroup(configuration: .init(
            services: [SimulatorService(simulator: simulator, host: "127.0.0.1", port: 0) { bound.yield($0) }], logger: logger))
        try await withThrowingDiscardingTaskGroup { platform in
            platform.addTask {
                defer { bound.finish() }
                try await simulation.run()
            }
            let run = await Result(awaiting: {
                guard let port = await ports.first(where: { _ in true }) else {
                    throw CLIFailure(message: "the simulated platform did not start (see \(dir)/demo.log)")
                }
                try await runFleet(platformURL: "http://127.0.0.1:\(port)", simulator: simulator, dir: dir, logger: logger)
            })
            await simulation.triggerGracefulShutdown()
            try run.get()
        }
    }

    /// The controllers and the churn, with the console (or the headless wait) on top; they stop
    /// as `gwops controller` does on SIGTERM: sockets first, store last.
    func runFleet(platformURL: String, simulator: PlatformSimulator, dir: String, logger: Logger) async throws {
        // The controllers' connections to the simulator: closed once they stopped, however they
        // stopped, so the simulator's server has nothing left to wait for.
        let connections = PlatformClient.Connections()
        let ran = await Result(awaiting: {
            let fleet = try DemoFleet(
                directory: dir, platformURL: platformURL, simulator: simulator, connections: connections, seed: seed, logger: logger)
            let group = ServiceGroup(configuration: .init(services: fleet.services, logger: logger))
            try await withThrowingDiscardingTaskGroup { running in
                running.addTask {
                    defer { fleet.stopped() }
                    try await group.run()
                }
                let watched = await Result(awaiting: { try await watch(fleet, dir: dir, logger: logger) })
                await group.triggerGracefulShutdown()
                try watched.get()
            }
        })
        await connections.shutdown()
        try ran.get()
    }

    /// The console on the demo's controller socket, or (headless) its status after `duration`.
    func watch(_ fleet: DemoFleet, dir: String, logger: Logger) async throws {
        guard let client = try await fleet.connect() else {
            throw CLIFailure(message: "the demo's control socket \(fleet.socket) does not answer (see \(dir)/demo.log)")
        }
        if headless {
            try await Task.sleep(for: DurationParser.parse(duration) ?? .seconds(10))
            print(try Terminal.json(try await client.status()))
            return
        }
        let caller = try await client.whoami()
        var header = HeaderInfo(
            gateway: DemoFleet.gatewayId, platformURL: fleet.platformURL, origin: client.origin, caller: caller, readonly: readonly)
        header.operatorName = Runtime.actor.display
        try await ConsoleSession(
            service: client, header: header, refresh: .seconds(1), themeName: theme, logger: logger
        ).run()
    }
}
