import Console
import ConsoleTesting
import ControlSocket
import Core
import Foundation

extension ConsoleBenchmark {
    /// What a console costs and how fresh it is through a controller's socket.
    struct SocketResult: Sendable, Codable {
        /// From connecting to the first frame showing every artifact.
        var loadMs: Double
        /// Resident memory once loaded, and at the end.
        var rssLoadedMB: Double
        var rssEndMB: Double
        /// Build + diff time of every frame painted while events arrived (as `run` measures it).
        var frameMs: [Double]
        /// For every event shown: from just before its publish to the end of the first frame
        /// whose data holds it.
        var eventToFrameMs: [Double]
        /// Events that went by without a frame holding them (more than the dashboard's window
        /// between two refreshes).
        var missed: Int
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the console's own data source and paint loop (as `ConsoleRunner` does: the inbox
    /// polled as often as a key wait times out) against the controller at `socket`, with the
    /// test backend as its terminal. Loads until `artifacts` rows show, then touches `ready` and
    /// paints until `events` events newer than the load were shown (or `limit` passed).
    static func throughSocket(
        socket: String, artifacts: Int, events: Int, ready: String, limit: Duration, rss: () -> Double,
        width: Int = 120, height: Int = 40
    ) async throws -> SocketResult {
        let started = ContinuousClock.now
        guard let client = try await ControlClient.connect(path: socket, environment: [:]) else {
            throw Failure(description: "no controller answers on \(socket)")
        }
        let inbox = ConsoleInbox()
        let header = HeaderInfo(gateway: "gw-bench", backend: "controller", location: socket, operatorName: "bench")
        let source = ConsoleDataSource(service: client, header: header, refresh: .seconds(1), inbox: inbox)
        let feeding = Task { await source.run() }
        defer { feeding.cancel() }
        var app = ConsoleApp(readonly: false, width: width, height: height)
        let writer = FrameWriter(backend: TestBackend(width: width, height: height))
        let pause = Duration.milliseconds(ConsoleRunner.keyWaitMilliseconds)

        // Loading: every artifact on screen
        var shownSeq: Int64 = 0
        while true {
            guard ContinuousClock.now - started < limit else { throw Failure(description: "the console did not show \(artifacts) artifacts within \(limit)") }
            if let data = inbox.take().data {
                app.update(data)
                writer.present(app.render(now: .now, theme: .test))
                if data.artifacts.count >= artifacts {
                    shownSeq = data.events.map(\.seq).max() ?? 0
                    break
                }
            }
            try await Task.sleep(for: pause)
        }
        let loadMs = (ContinuousClock.now - started).seconds * 1000
        let rssLoaded = rss()
        // Steady state: the event stream (opened once the snapshot is loaded) is following
        try await Task.sleep(for: .milliseconds(500))
        _ = inbox.take()
        FileManager.default.createFile(atPath: ready, contents: nil)

        // Live: every frame painted, and when each event first shows
        var frames: [Double] = [], latencies: [Double] = [], missed = 0
        let live = ContinuousClock.now
        while latencies.count + missed < events, ContinuousClock.now - live < limit {
            guard let data = inbox.take().data else {
                try await Task.sleep(for: pause)
                continue
            }
            app.update(data)
            let begin = ContinuousClock.now
            writer.present(app.render(now: .now, theme: .test))
            frames.append((ContinuousClock.now - begin).seconds * 1000)
            let painted = Timestamp.now.microseconds
            let fresh = data.events.filter { $0.seq > shownSeq }
            guard let newest = fresh.map(\.seq).max() else { continue }
            missed += Int(newest - shownSeq) - fresh.count
            latencies += fresh.map { Double(painted - $0.originatedAt.microseconds) / 1000 }
            shownSeq = newest
        }
        return SocketResult(loadMs: loadMs, rssLoadedMB: rssLoaded, rssEndMB: rss(), frameMs: frames, eventToFrameMs: latencies, missed: missed)
    }
}
