import ArgumentParser
import Foundation
import TestSupport

/// `gwops-campaign hostile-clients`: trickling and held connections against a control socket, as
/// whichever account runs it; prints what the socket did to them as JSON.
struct HostileClientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile-clients", abstract: "Hold and trickle connections to a control socket (system tests, benchmarks).")

    @Option(help: "The control socket.") var socket: String
    @Option(help: "Connections sending one header line every --interval seconds.") var trickle = 0
    @Option(help: "Seconds between a trickling connection's header lines.") var interval = 10.0
    @Option(help: "Connection attempts made at once and held without a byte.") var flood = 0
    @Option(help: "Seconds to keep at it.") var duration = 10.0

    func run() throws {
        let report = HostileClients(trickle: trickle, interval: interval, flood: flood, duration: duration).run(path: socket)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}
