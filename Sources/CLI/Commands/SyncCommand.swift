import ArgumentParser
import ControlSocket
import Core
import Foundation

/// `gwops sync`: run a startup sync now, or print its plan.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Reconcile the local store with the platform now.")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Print the plan (fetches, status updates, orphans) without changing anything.")
    var dryRun = false
    @Flag(name: .long, help: "Print JSON.")
    var json = false
    @Flag(name: .long, help: "Classify orphans even when most local artifacts are missing from the listing.")
    var allowMassOrphans = false

    func run() async throws {
        let config = try global.loadConfig()
        if !dryRun { try global.refuseIfReadOnly(config, "`gwops sync`") }
        if let controller = try await Runtime.controller(config, global: global) {
            try await viaController(controller)
            return
        }
        // A dry run in a read-only session reads the store read-only.
        let store = try await Runtime.openStore(config, readonly: global.isReadOnly(config))
        let logger = Runtime.logger("gwops.sync", level: .warning)
        let client = try Runtime.platformClient(config, environment: global.environment, logger: logger)
        var options = config.syncOptions
        if allowMassOrphans { options.massOrphanFraction = 1.0 }
        let engine = SyncEngine(store: store, platform: client, options: options, logger: logger)
        if dryRun {
            let preview = try await engine.preview()
            print(json ? try Terminal.json(PlanJSON(preview)) : PlanText.render(preview))
            return
        }
        let started = ContinuousClock.now
        let record = try await engine.run(trigger: .cli, requestedBy: Runtime.actor)
        let elapsed = (ContinuousClock.now - started).seconds
        // Then what a gateway loads when it connects: the keys and subscriptions at stake.
        var credentials: CredentialLoad.Report?
        if record.outcome == .succeeded {
            credentials = try await CredentialLoad(
                store: store, platform: client, concurrency: options.fetchConcurrency, logger: logger
            ).run()
        }
        if json {
            print(try Terminal.json(RunJSON(record, seconds: elapsed, credentials: credentials)))
        } else {
            print(RunText.render(record, seconds: elapsed, credentials: credentials))
        }
        // A key or subscription listing that failed is reported above, not a failed sync: the
        // deployments are in step, and what the listing covers was kept as stored.
        if record.outcome != .succeeded {
            throw ExitCode.failure
        }
    }
}

extension SyncCommand {
    /// The sync runs in the controller (it holds the platform key); this follows it to its end.
    func viaController(_ controller: ControlClient) async throws {
        if allowMassOrphans {
            throw CLIFailure(
                message: "--allow-mass-orphans changes how the controller's sync classifies orphans: run it with --direct as the service account",
                code: 2)
        }
        if dryRun {
            let preview = try await controller.plan()
            print(json ? try Terminal.json(PlanJSON(preview)) : PlanText.render(preview))
            return
        }
        let started = ContinuousClock.now
        let id = try await controller.startSync(trigger: .cli)
        if !json { Terminal.note("sync #\(id) started by the controller (\(controller.path)); following it") }
        let record = try await controller.finishedRun(id)
        let elapsed = (ContinuousClock.now - started).seconds
        if json {
            print(try Terminal.json(RunJSON(record, seconds: elapsed)))
        } else {
            print(RunText.render(record, seconds: elapsed))
        }
        if record.outcome != .succeeded { throw ExitCode.failure }
    }
}

/// The JSON form of a finished run.
struct RunJSON: Encodable {
    var id: Int64
    var trigger: String
    var outcome: String
    var seconds: Double
    var counters: SyncCounters
    var errors: [String]
    var credentials: CredentialLoad.Report?

    init(_ r: SyncRunRecord, seconds: Double, credentials c: CredentialLoad.Report? = nil) {
        id = r.id
        trigger = r.trigger.rawValue
        outcome = r.outcome.rawValue
        self.seconds = (seconds * 1000).rounded() / 1000
        counters = r.counters
        errors = r.errors
        credentials = c
    }
}

enum RunText {
    static func render(_ r: SyncRunRecord, seconds: Double, credentials: CredentialLoad.Report? = nil) -> String {
        let c = r.counters
        var lines = [
            "sync run #\(r.id) \(r.outcome.rawValue) in \(String(format: "%.2f", seconds))s",
            "  listed \(c.listed)  fetched \(c.fetched)/\(c.toFetch)  status updates \(c.statusUpdated)  stale \(c.stale)  drift \(c.drift)  skipped \(c.skipped)",
            "  orphans: pending deletion \(c.pendingDeletion)  retained \(c.retained)  unverified \(c.unverified)  deleted \(c.deleted)",
        ]
        if c.missing > 0 { lines.append("  missing from archives: \(c.missing)") }
        if let k = credentials {
            lines.append("  loaded \(k.apiKeys) API key(s) and \(k.subscriptions) subscription(s) of \(k.apis) API(s)")
            if k.failed > 0 { lines += ["  \(k.failed) key or subscription listing(s) failed (what they cover was kept):"] + k.failures.map { "    - \($0)" } }
        }
        if !r.errors.isEmpty {
            lines.append("  \(c.errors) error(s):")
            lines += r.errors.prefix(20).map { "    - \($0)" }
            if r.errors.count > 20 { lines.append("    … \(r.errors.count - 20) more (gwops sync --json shows all)") }
        }
        if c.pendingDeletion + c.unverified > 0 {
            lines.append("  review orphans with `gwops orphans list`")
        }
        return lines.joined(separator: "\n")
    }
}
