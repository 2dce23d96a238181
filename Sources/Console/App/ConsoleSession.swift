import Core
import Dispatch
import Foundation
import Logging
import Synchronization

/// One run of the console against a store (and a platform): starts the data source and the
/// action executor, runs the UI loop on its own thread, restores the terminal on every way out
/// (q, SIGINT, SIGTERM, SIGHUP).
package struct ConsoleSession {
    package var service: any GatewayService
    package var header: HeaderInfo
    package var refresh: Duration
    package var themeName: String
    package var logger: Logger

    package init(service: any GatewayService, header: HeaderInfo, refresh: Duration, themeName: String, logger: Logger) {
        self.service = service
        self.header = header
        self.refresh = refresh
        self.themeName = themeName
        self.logger = logger
    }

    package func run() async throws {
        let baseTheme = try ThemeLoader.load(themeName)
        let environment = ProcessInfo.processInfo.environment
        let backend = try NCursesBackend(noColor: environment["NO_COLOR"].map { !$0.isEmpty } ?? false)
        let stop = StopFlag()
        let signals = Self.trapSignals { stop.set() }
        defer {
            backend.shutdown()
            for s in signals { s.cancel() }
        }
        await run(on: backend, theme: baseTheme, environment: environment, stop: stop)
    }

    /// Runs on `backend` until quit or a stop signal (tests pass a `TestBackend`).
    func run(on backend: TerminalBackend, theme baseTheme: Theme, environment: [String: String], stop: StopFlag = StopFlag()) async {
        let inbox = ConsoleInbox()
        let source = ConsoleDataSource(service: service, header: header, refresh: refresh, inbox: inbox)
        let (effects, continuation) = AsyncStream.makeStream(of: ConsoleEffect.self)
        let actions = ConsoleActions(service: service, source: source, inbox: inbox)
        let runner = ConsoleRunner(
            backend: backend, app: ConsoleApp(readonly: header.readonly, readonlyReason: header.roleRefusal), theme: baseTheme, inbox: inbox,
            effects: continuation, stop: stop, loadTheme: { try ThemeLoader.load($0) })
        logger.info("console started", metadata: ["gateway": "\(header.gateway)", "readonly": "\(header.readonly)"])
        await withDiscardingTaskGroup { group in
            group.addTask { await source.run() }
            group.addTask { await actions.run(effects) }
            await UIThread.run(runner)
            // The terminal is given back at once; reads and actions in flight end after it.
            backend.shutdown()
            group.cancelAll()
        }
        logger.info("console stopped")
    }

    /// Turns SIGINT, SIGTERM and SIGHUP (a dropped SSH session) into a clean stop.
    package static func trapSignals(_ handler: @escaping @Sendable () -> Void) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }
}

/// Runs the blocking UI loop on a dedicated thread, off the concurrency pool.
enum UIThread {
    /// The runner is used by that one thread only, then handed back.
    private final class Handoff: @unchecked Sendable {
        let runner: ConsoleRunner
        init(_ runner: ConsoleRunner) { self.runner = runner }
    }

    static func run(_ runner: ConsoleRunner) async {
        let handoff = Handoff(runner)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                handoff.runner.run()
                done.resume()
            }
            thread.name = "gwops-ui"
            thread.start()
        }
    }
}
