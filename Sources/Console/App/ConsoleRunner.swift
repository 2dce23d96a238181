import Core
import Foundation
import Synchronization

/// Runs the console's UI loop on the calling thread (never on the concurrency pool: ncurses
/// blocks). Data arrives through the inbox; effects leave through `effects`.
package final class ConsoleRunner {
    let backend: TerminalBackend
    let inbox: ConsoleInbox
    let effects: AsyncStream<ConsoleEffect>.Continuation
    let stop: StopFlag
    var app: ConsoleApp
    var theme: Theme
    let baseTheme: Theme
    let loadTheme: (String) throws -> Theme
    private let writer: FrameWriter

    /// How often the header's data age repaints when nothing else happens.
    static let idleRepaint: Duration = .milliseconds(500)
    /// How long a key is waited for before the inbox is looked at again: new data is painted at
    /// most this long after it arrives (ncurses waits in poll(2), so this costs no CPU to speak of).
    package static let keyWaitMilliseconds = 20

    init(backend: TerminalBackend, app: ConsoleApp, theme: Theme, inbox: ConsoleInbox,
         effects: AsyncStream<ConsoleEffect>.Continuation, stop: StopFlag, loadTheme: @escaping (String) throws -> Theme) {
        self.backend = backend
        self.app = app
        self.baseTheme = theme
        self.theme = theme.adapted(colors: backend.colorMode, unicode: backend.unicode)
        self.inbox = inbox
        self.effects = effects
        self.stop = stop
        self.loadTheme = loadTheme
        writer = FrameWriter(backend: backend)
    }

    /// Loops until `q`, `:q`, or a stop signal; returns after restoring nothing (the caller
    /// shuts the backend down).
    func run() {
        let (w, h) = backend.size
        app.resize(width: w, height: h)
        var dirty = true
        var lastPaint = ContinuousClock.now
        while !stop.isSet {
            if absorbInbox() { dirty = true }
            if dirty || ContinuousClock.now - lastPaint >= Self.idleRepaint {
                writer.present(app.render(now: .now, theme: theme))
                lastPaint = ContinuousClock.now
                dirty = false
            }
            guard let key = backend.nextKey(timeoutMilliseconds: Self.keyWaitMilliseconds) else { continue }
            dirty = true
            if key == .resize {
                let (w, h) = backend.size
                app.resize(width: w, height: h)
                writer.invalidate()
            }
            if perform(app.handle(key)) == false { break }
        }
        effects.finish()
    }

    /// Carries out effects; false means quit.
    private func perform(_ list: [ConsoleEffect]) -> Bool {
        for effect in list {
            switch effect {
            case .quit:
                return false
            case .redraw:
                writer.invalidate()
            case .setTheme(let name):
                do {
                    theme = try loadTheme(name).adapted(colors: backend.colorMode, unicode: backend.unicode)
                    app.flash("theme \(name)", .flash)
                    writer.invalidate()
                } catch {
                    app.flash("\(error)", .err)
                }
            case .loadPlan, .startSync, .decide, .loadDetail:
                effects.yield(effect)
            }
        }
        return true
    }

    private func absorbInbox() -> Bool {
        let (data, detail, flashes, loadedAt) = inbox.take()
        if let data { app.update(data) }
        if let loadedAt { app.touch(loadedAt) }
        if let detail, detail.uuid == app.state.detail {
            app.detailContent = detail.content
            app.detailEvents = detail.events
            app.detailHistory = detail.history
            app.detailKeys = detail.keys
            app.detailSubscriptions = detail.subscriptions
        }
        if let last = flashes.last { app.state.flash = last }
        return data != nil || detail != nil || !flashes.isEmpty || loadedAt != nil
    }
}
