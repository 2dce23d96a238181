import ArgumentParser
import Core
import Foundation

/// `gwops status`: artifacts, reviews, event hub, replicas, last sync.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Summarize the gateway's state.")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Print exactly one JSON object.")
    var json = false

    func run() async throws {
        let config = try global.loadConfig()
        let service = try await Runtime.gatewayService(
            config, global: global, readonly: global.isReadOnly(config), needsPlatform: false, logger: Runtime.logger("gwops.status", level: .warning))
        let report = try await service.status()
        if json {
            print(try Terminal.json(report))
            return
        }
        print(StatusText.render(report))
    }
}

enum StatusText {
    static func render(_ r: StatusReport) -> String {
        let kinds = r.artifacts.byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var lines = [
            "gateway \(r.gateway)   store \(r.store.backend) \(r.store.location)",
            "artifacts \(r.artifacts.total): deployed \(r.artifacts.deployed), undeployed \(r.artifacts.undeployed)\(kinds.isEmpty ? "" : " (\(kinds))")",
            "API keys \(r.credentials.apiKeys), subscriptions \(r.credentials.subscriptions)",
            "orphans: pending deletion \(r.reviews.pending), retained \(r.reviews.retained), unverified \(r.reviews.unverified)",
            "event hub: head seq \(r.eventHub.headSeq), oldest retained seq \(r.eventHub.oldestSeq)",
        ]
        if r.replicas.isEmpty {
            lines.append("replicas: none registered")
        } else {
            lines.append("replicas:")
            for rep in r.replicas {
                let reason = rep.reason.map { "  — \($0)" } ?? ""
                lines.append(
                    "  \(rep.id.padding(toLength: 16, withPad: " ", startingAt: 0)) \(rep.status.padding(toLength: 8, withPad: " ", startingAt: 0)) cursor \(rep.appliedSeq)  lag \(rep.lagEvents) ev / \(Format.seconds(rep.lagSeconds))  heartbeat \(Format.seconds(rep.heartbeatAgeSeconds)) ago\(reason)")
            }
        }
        if let s = r.lastSync {
            lines.append(
                "last sync #\(s.id) (\(s.trigger)) \(s.outcome) at \(s.startedAt): fetched \(s.fetched), status \(s.statusUpdated), retained \(s.retained), pending deletion \(s.pendingDeletion), deleted \(s.deleted), errors \(s.errors)")
        } else {
            lines.append("last sync: never")
        }
        return lines.joined(separator: "\n")
    }
}
