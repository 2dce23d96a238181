import ArgumentParser
import Core
import Foundation
import TestSupport

/// `gwops-bench sync-child`: one sync (gwops's engine or the reference algorithm) into a SQLite
/// file, printing its time, rows written and peak RSS as one JSON line.
struct SyncChild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync-child", shouldDisplay: false)

    @Option var algorithm: String
    @Option var url: String
    @Option var db: String

    struct Result: Codable {
        var seconds: Double
        var rows: Int
        var peakRssMB: Double
    }

    func run() async throws {
        let store = try SQLiteStore(path: db, gatewayId: "gw-bench")
        let client = PlatformClient(baseURL: url, apiKey: SimulatorHarness.apiKey, timeout: .seconds(300))
        let start = ContinuousClock.now
        let rows: Int
        switch algorithm {
        case "gwops":
            let record = try await SyncEngine(store: store, platform: client).run(
                trigger: .startup, requestedBy: Principal(user: "bench", clientAddress: nil))
            guard record.outcome == .succeeded else { throw BenchError("sync \(record.outcome): \(record.errors)") }
            rows = record.counters.fetched + record.counters.statusUpdated
        case "reference":
            rows = try await ReferenceSync(path: db, client: client).run()
        default:
            throw ValidationError("--algorithm is gwops or reference")
        }
        try emit(Result(seconds: (ContinuousClock.now - start).seconds, rows: rows, peakRssMB: ProcStatus.megabytes("VmHWM")))
    }
}
