import Core

/// Carries out the console's effects through the gateway service (the store and engine here, or
/// the controller, which then runs the sync and makes the decisions).
struct ConsoleActions: Sendable {
    let service: any GatewayService
    let source: ConsoleDataSource
    let inbox: ConsoleInbox

    /// Carries out effects until the stream ends; a plan and a sync run beside the effects that
    /// follow them (a sync runs for minutes), and all of them end with this call.
    func run(_ effects: AsyncStream<ConsoleEffect>) async {
        await withDiscardingTaskGroup { group in
            for await effect in effects {
                switch effect {
                case .loadPlan:
                    await source.setPlan(.loading)
                    group.addTask {
                        do {
                            await source.setPlan(.ready(try await service.plan()))
                        } catch {
                            await source.setPlan(.failed("\(error)"))
                        }
                    }
                case .startSync:
                    group.addTask { await startSync() }
                case .decide(let decision, let reviews, let force):
                    await decide(decision, reviews: reviews, force: force)
                    await source.refreshNow()
                case .loadDetail(let uuid):
                    await loadDetail(uuid)
                case .quit, .redraw, .setTheme:
                    break
                }
            }
            group.cancelAll()
        }
    }

    /// The detail of one artifact; one that cannot be read shows empty, with why.
    private func loadDetail(_ uuid: String) async {
        do {
            let detail = try await service.detail(uuid: uuid)
            inbox.post(DetailData(
                uuid: uuid, content: detail.content, events: detail.events, history: detail.history, keys: detail.keys,
                subscriptions: detail.subscriptions))
        } catch {
            inbox.post(DetailData(uuid: uuid, content: nil, events: [], history: []))
            inbox.post(Flash(text: "detail of \(uuid) not read: \(error)", role: .err))
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
