import Core
import Foundation
import Synchronization

/// Runs the console's UI loop on the calling thread (never on the concurrency pool: ncurses
/// blocks). Data arrives through the inbox; effects leave through `effects`.
final class ConsoleRunner {
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
    static let keyWaitMilliseconds = 20

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

/// Carries out the console's effects through the gateway service (the store and engine here, or
/// the controller, which then runs the sync and makes the decisions).
struct ConsoleActions: Sendable {
    let service: any GatewayService
    let source: ConsoleDataSource
    let inbox: ConsoleInbox

    func run(_ effects: AsyncStream<ConsoleEffect>) async {
        for await effect in effects {
            switch effect {
            case .loadPlan:
                await source.setPlan(.loading)
                Task {
                    do {
                        await source.setPlan(.ready(try await service.plan()))
                    } catch {
                        await source.setPlan(.failed("\(error)"))
                    }
                }
            case .startSync:
                Task { await startSync() }
            case .decide(let decision, let reviews, let force):
                await decide(decision, reviews: reviews, force: force)
                await source.refreshNow()
            case .loadDetail(let uuid):
                if let detail = try? await service.detail(uuid: uuid) {
                    inbox.post(DetailData(
                        uuid: uuid, content: detail.content, events: detail.events, history: detail.history, keys: detail.keys,
                        subscriptions: detail.subscriptions))
                } else {
                    inbox.post(DetailData(uuid: uuid, content: nil, events: [], history: []))
                }
            case .quit, .redraw, .setTheme:
                break
            }
        }
    }

    /// Starts a sync (in the controller when there is one) and follows it to its end; every
    /// console watching sees its progress in the runs table meanwhile.
    private func startSync() async {
        do {
            let id = try await service.startSync(trigger: .console)
            inbox.post(Flash(text: "sync #\(id) started", role: .progress))
            await source.refreshNow()
            let run = try await service.finishedRun(id) { await source.refreshNow() }
            inbox.post(Flash(
                text: "sync #\(run.id) \(run.outcome.rawValue): fetched \(run.counters.fetched), errors \(run.counters.errors)",
                role: run.outcome == .succeeded ? .ok : .warn))
        } catch {
            inbox.post(Flash(text: "\(error)", role: .err))
        }
        await source.refreshNow()
    }

    private func decide(_ decision: ReviewDecision, reviews: [OrphanReview], force: Bool) async {
        var deleted = 0, superseded = 0, done = 0
        var refusals: [String] = []
        var keys = 0, subs = 0
        for review in reviews {
            do {
                switch try await service.decide(reviewId: review.id, decision: decision, seen: ReviewVersion(review), force: force) {
                case .deleted(let d):
                    deleted += 1
                    keys += d.apiKeys
                    subs += d.subscriptions
                case .superseded: superseded += 1
                case .refused(let why): refusals.append(why)
                case .rejected, .retentionConfirmed: done += 1
                }
            } catch {
                refusals.append("\(error)")
            }
        }
        var parts: [String] = []
        if deleted > 0 { parts.append("deleted \(deleted) (\(keys) keys, \(subs) subscriptions)") }
        if done > 0 { parts.append(decision == .reject ? "rejected \(done)" : "confirmed \(done)") }
        if superseded > 0 { parts.append("\(superseded) changed since review: not deleted") }
        if let first = refusals.first { parts.append("refused \(refusals.count): \(first)") }
        inbox.post(Flash(text: parts.joined(separator: "; "), role: refusals.isEmpty ? .ok : .warn))
    }
}
