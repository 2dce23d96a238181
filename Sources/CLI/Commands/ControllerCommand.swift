import ArgumentParser
import Controller
import Core
import Foundation

/// `gwops controller`: the gateway's controller, headless (the systemd unit runs it).
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run a headless replica: sync on start, apply hub events, heartbeat, prune past retention.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ControllerOptions

    func run() async throws {
        try await options.controller(global: global).run()
    }
}

/// What `gwops controller` is told on its command line.
package struct ControllerOptions: ParsableArguments {
    @Option(name: .long, help: "This replica's id (stable across restarts: the cursor is kept under it).")
    package var replicaId: String
    @Flag(name: .long, help: "No platform at all: no startup sync, no live path (replica only).")
    package var skipSync = false
    @Flag(name: .long, help: "No live path: sync once at start only.")
    package var noLive = false

    package init() {}

    /// The controller the configuration and these options describe, on its opened store;
    /// `adjust` changes the setup before it is built.
    package func controller(global: GlobalOptions, adjust: (inout ControllerSetup) throws -> Void = { _ in }) async throws -> Controller {
        let config = try global.loadConfig()
        let logger = Runtime.logger("gwops.controller", level: .info)
        let store = try await Runtime.openStore(config)
        do {
            let platform = try skipSync ? nil : Runtime.platformClient(config, environment: global.environment, logger: logger)
            var setup = try ControllerSetup(
                config: config, replicaId: replicaId, platform: platform, live: !noLive, environment: global.environment, logger: logger)
            try adjust(&setup)
            return try Controller(store: store, setup: setup, logger: logger)
        } catch {
            await store.shutdown()
            throw error
        }
    }
}
