import ArgumentParser
import Core
import Foundation

/// `gwops console`: the terminal UI against the configured store and platform.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "Watch the fleet and act on it (ncurses).")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Hide and refuse every action that changes something.") var readonly = false
    @Option(name: .long, help: "Theme name (default, high-contrast, solarized-dark, mono) or a theme file.") var theme: String?

    func run() async throws {
        let config = try global.loadConfig()
        let ro = readonly || global.isReadOnly(config)
        // Read-only opens the store read-only: a defect in the console cannot write, and a viewer
        // who may only read the store file can still watch it.
        let store = try await Runtime.openStore(config, readonly: ro)
        let sink = FileSink(path: FileLogHandler.consoleLogPath(environment: global.environment))
        let logger = sink.logger("gwops.console")
        let client = try Runtime.platformClient(config, environment: global.environment, logger: logger)
        let header = HeaderInfo(
            gateway: config.gateway.id, platformURL: config.platform.url, backend: store.backendName, location: store.location,
            operatorName: Runtime.actor.display, readonly: ro)
        try await ConsoleSession(
            store: store, engine: SyncEngine(store: store, platform: client, options: config.syncOptions, logger: logger),
            platform: client, header: header, thresholds: config.lagThresholds, refresh: config.console.refresh,
            themeName: theme ?? config.console.theme, logger: logger
        ).run()
    }
}
