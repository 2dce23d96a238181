import ArgumentParser

/// `gwops-demo`: everything gwops does on one machine with one command, and the simulated
/// platform API it runs against (also what tests, campaigns and benchmarks serve).
struct GwopsDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gwops-demo",
        abstract: "Try gwops with one command: a simulated platform, a store, three replicas and churn.",
        subcommands: [DemoCommand.self, PlatformSimCommand.self],
        defaultSubcommand: DemoCommand.self)
}
