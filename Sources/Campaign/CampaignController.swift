import ArgumentParser
import CLI
import Controller
import Core
import TestSupport

/// `gwops-campaign controller`: `gwops controller` itself (the same options, configuration and
/// services) with what the campaigns and the multi-process tests need to watch it: an apply
/// log of every event its replica applies, and an artificial delay per event.
struct CampaignController: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller", abstract: "Run `gwops controller` with an apply log (campaigns and tests).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ControllerOptions
    @Option(help: "Append `seq event_id` for every applied event to this file (each seq once, across crashes).") var applyLog: String
    @Option(help: "Sleep this many milliseconds per applied event.") var applyDelayMs: Int?

    func run() async throws {
        let log = try ApplyLog(path: applyLog)
        defer { log.close() }
        let controller = try await options.controller(global: global) { setup in
            setup.onApply = { log.append($0) }
            if let applyDelayMs { setup.replica.applyDelay = .milliseconds(applyDelayMs) }
        }
        try await controller.run()
    }
}
