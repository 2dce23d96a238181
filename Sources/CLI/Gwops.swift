import ArgumentParser
import BuildInfo

/// `gwops`: the control-plane sync core and console of an API-gateway fleet.
struct Gwops: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gwops",
        abstract: "Sync a gateway with its platform, watch the fleet, decide on orphans.",
        version: BuildInfo.description,
        subcommands: [
            ConsoleCommand.self, SyncCommand.self, StatusCommand.self, OrphansCommand.self, ControllerCommand.self,
        ])
}
