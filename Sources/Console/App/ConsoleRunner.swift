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
    static let keyWaitMilliseconds = 100

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

/// Carries out the console's effects against the engine and the store.
struct ConsoleActions: Sendable {
    let store: any GatewayStore
    let engine: SyncEngine?
    let source: ConsoleDataSource
    let inbox: ConsoleInbox
    let actor: Actor

    func run(_ effects: AsyncStream<ConsoleEffect>) async {
        for await effect in effects {
            switch effect {
            case .loadPlan:
                guard let engine else {
                    await source.setPlan(.failed("no platform configured"))
                    continue
                }
                await source.setPlan(.loading)
                Task {
                    do {
                        await source.setPlan(.ready(try await engine.preview()))
                    } catch {
                        await source.setPlan(.failed("\(error)"))
                    }
                }
            case .startSync:
                guard let engine else { continue }
                Task {
                    do {
                        let run = try await engine.run(trigger: .console, requestedBy: actor)
                        inbox.post(Flash(text: "sync #\(run.id) \(run.outcome.rawValue): fetched \(run.counters.fetched), errors \(run.counters.errors)", role: run.outcome == .succeeded ? .ok : .warn))
                    } catch {
                        inbox.post(Flash(text: "\(error)", role: .err))
                    }
                    await source.refreshNow()
                }
                try? await Task.sleep(for: .milliseconds(50))
                await source.refreshNow()
            case .decide(let decision, let ids, let force):
                await decide(decision, ids: ids, force: force)
                await source.refreshNow()
            case .loadDetail(let uuid):
                let content = try? await store.artifact(uuid: uuid)?.content
                let events = ((try? await store.recentEvents(limit: 2000)) ?? []).filter { $0.entityId == uuid }
                let history = (try? await store.reviewHistory(artifactUUID: uuid)) ?? []
                let keys = (try? await store.apiKeys(of: uuid)) ?? []
                let subscriptions = (try? await store.subscriptions(of: uuid)) ?? []
                inbox.post(DetailData(uuid: uuid, content: content, events: events, history: history, keys: keys, subscriptions: subscriptions))
            case .quit, .redraw, .setTheme:
                break
            }
        }
    }

    private func decide(_ decision: ReviewDecision, ids: [Int64], force: Bool) async {
        var deleted = 0, superseded = 0, done = 0
        var refusals: [String] = []
        var keys = 0, subs = 0
        for id in ids {
            do {
                switch try await store.decide(reviewId: id, decision: decision, actor: actor, allowUnverified: force) {
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
