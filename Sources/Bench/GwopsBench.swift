import ArgumentParser
import Foundation

/// `gwops-bench`: each suite runs its contenders side by side in one process run, alternating,
/// several repetitions, and reports min / median / max and the ratios (BENCHMARKS.md).
@main
struct GwopsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gwops-bench",
        abstract: "Benchmarks of gwops against its limits and the reference design.",
        subcommands: [
            AllCommand.self, SyncCommand.self, HubLatencyCommand.self, SocketLatencyCommand.self, HubThroughputCommand.self, ConsoleCommand.self,
            ConsoleSocketCommand.self,
            ArchiveCommand.self, SyncChild.self, ReplicaChild.self, ConsoleChild.self, ConsoleSocketChild.self,
        ])
}

/// Options every suite takes.
struct SuiteOptions: ParsableArguments {
    @Flag(name: .long, help: "Small sizes and short runs (a CI smoke run, under two minutes).") var quick = false
    @Flag(name: .long, help: "Print one JSON object with every figure.") var json = false
    @Option(name: .long, help: "Repetitions per contender (default 3, 1 with --quick).") var reps: Int?
    @Option(name: .long, help: "Also write the JSON report to this file.") var jsonOut: String?

    var repetitions: Int { max(1, reps ?? (quick ? 1 : 3)) }
}

/// One suite: its figures for the JSON report and its lines for the human one.
protocol Suite {
    /// The key in the JSON report.
    static var key: String { get }
    func run(_ options: SuiteOptions) async throws -> SuiteReport
}

struct SuiteReport: Sendable {
    var json: Figure
    var lines: [String]
}

extension Suite {
    func runAndPrint(_ options: SuiteOptions) async throws {
        try Report.print([(Self.key, try await run(options))], options: options)
    }
}

struct AllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "Run every suite.")
    @OptionGroup var options: SuiteOptions

    func run() async throws {
        let suites: [(String, any Suite)] = [
            (SyncSuite.key, SyncSuite()), (HubLatencySuite.key, HubLatencySuite()),
            (HubThroughputSuite.key, HubThroughputSuite()), (SocketLatencySuite.key, SocketLatencySuite()),
            (ConsoleSuite.key, ConsoleSuite()), (ConsoleSocketSuite.key, ConsoleSocketSuite()), (ArchiveSuite.key, ArchiveSuite()),
        ]
        var reports: [(String, SuiteReport)] = []
        for (key, suite) in suites {
            Progress.say("== \(key)")
            reports.append((key, try await suite.run(options)))
        }
        try Report.print(reports, options: options)
    }
}

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync", abstract: "Startup sync and 5% resync vs. storage floor and reference.")
    @OptionGroup var options: SuiteOptions
    @Option(name: .long, parsing: .upToNextOption, help: "Measure only these deployment counts.") var sizes: [Int] = []
    func run() async throws { try await SyncSuite(sizes: sizes.isEmpty ? nil : sizes).runAndPrint(options) }
}

struct HubLatencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hub-latency", abstract: "Publish→apply latency across three replica processes.")
    @OptionGroup var options: SuiteOptions
    func run() async throws { try await HubLatencySuite().runAndPrint(options) }
}

struct SocketLatencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "socket-latency", abstract: "Publish→console latency through a controller's control socket.")
    @OptionGroup var options: SuiteOptions
    @Option(name: .long, help: "Clients asking for the dashboard during the run.") var hammer = 0
    @Option(name: .long, help: "Each of them once per this many ms, following the event stream as a console does (0: back to back, asking for 500 events each time).") var hammerPeriodMs = 0
    @Option(name: .long, help: "Connections from another account (nobody, run through setpriv: needs root) trickling a header line every 10 s during the run, while an operator asks for the status every 50 ms (0: the operator alone, for comparison).") var hostile: Int?
    @Option(name: .long, help: "What that account is to the controller: none (no role) or viewer.") var hostileRole = SocketLatencySuite.HostileRole.none
    func run() async throws {
        try await SocketLatencySuite(hammering: hammer, hammerPeriodMs: hammerPeriodMs, hostile: hostile, hostileRole: hostileRole).runAndPrint(options)
    }
}

struct HubThroughputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hub-throughput", abstract: "Highest publish rate three replicas keep up with.")
    @OptionGroup var options: SuiteOptions
    @Option(name: .long, parsing: .upToNextOption, help: "Measure only these rates (events/s).") var rates: [Int] = []
    func run() async throws { try await HubThroughputSuite(rates: rates.isEmpty ? nil : rates).runAndPrint(options) }
}

struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console", abstract: "Console frame build + diff cost and memory.")
    @OptionGroup var options: SuiteOptions
    func run() async throws { try await ConsoleSuite().runAndPrint(options) }
}

struct ConsoleSocketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console-socket", abstract: "The console through a controller's socket: load, frame cost, event→frame latency, memory.")
    @OptionGroup var options: SuiteOptions
    func run() async throws { try await ConsoleSocketSuite().runAndPrint(options) }
}

struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "archive", abstract: "tar.gz decode vs. gzip -dc | tar -t.")
    @OptionGroup var options: SuiteOptions
    func run() async throws { try await ArchiveSuite().runAndPrint(options) }
}
