import ArgumentParser
import Core
import Foundation
import Synchronization

/// `gwops-bench replica-child`: one controller replica (`ReplicaRunner`) that records, for each
/// applied event, wall-clock now − the event's `originatedAt` (set by the publisher just before
/// publishing), and exits once it applied `--events` events. Samples go to `--samples` as
/// 32-bit floats (ms).
struct ReplicaChild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replica-child", shouldDisplay: false)

    @Option var backend: String
    @Option var location: String
    @Option var replicaId: String
    @Option var events: Int
    @Option var samples: String
    @Option var pollMs: Int?

    final class Recorder: Sendable {
        let samples = Mutex<[Float]>([])

        func add(_ ms: Float) { samples.withLock { $0.append(ms) } }
        var count: Int { samples.withLock { $0.count } }
    }

    func run() async throws {
        guard let backend = HubBackend(rawValue: backend) else { throw ValidationError("--backend is sqlite or postgres") }
        let store = try await HubRun.open(backend, location)
        var options = ReplicaOptions()
        options.batchSize = 5000
        if let pollMs {
            options.commitWakeups = false
            options.fallbackPoll = .milliseconds(pollMs)
        }
        let recorder = Recorder()
        recorder.samples.withLock { $0.reserveCapacity(events) }
        let runner = ReplicaRunner(store: store, replicaId: replicaId, options: options) { event in
            recorder.add(Float(wallMicros() - event.originatedAt.microseconds) / 1000)
        }
        let task = Task { try await runner.run() }
        let deadline = ContinuousClock.now + .seconds(600)
        while recorder.count < events, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        task.cancel()
        _ = await task.result
        (store as? PostgresStore)?.close()
        let values = recorder.samples.withLock { $0 }
        try values.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: samples)) }
        guard values.count >= events else { throw BenchError("\(replicaId) applied \(values.count) of \(events) events") }
    }
}
