import ArgumentParser
import Console
import ControlSocket
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
        let sink = FileSink(path: FileSink.consoleLogPath(environment: global.environment))
        let logger = sink.logger("gwops.console")
        // Through the controller's socket when it answers: no key, no store access needed. Else the
        // store directly (read-only opens it read-only: a defect in the console cannot write).
        let service = try await Runtime.gatewayService(config, global: global, readonly: ro, needsPlatform: true, logger: logger, mustExist: false)
        let caller = try await service.whoami()
        var header = HeaderInfo(gateway: config.gateway.id, platformURL: config.platform.url, origin: service.origin, caller: caller, readonly: ro)
        header.operatorName = Principal(user: caller.user, clientAddress: Runtime.actor.clientAddress).display
        try await ConsoleSession(
            service: service, header: header, refresh: config.console.refresh,
            themeName: theme ?? config.console.theme, logger: logger
        ).run()
    }
}
