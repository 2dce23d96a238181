import Foundation
import Core

extension ConsoleApp {
    /// Handles one key; returns what the runner must do.
    package mutating func handle(_ key: Key) -> [ConsoleEffect] {
        if key == .resize { return [.redraw] }
        if state.dialog != nil { return handleDialog(key) }
        if state.showHelp {
            if key == .escape || key == .char("?") || key == .char("q") { state.showHelp = false }
            return []
        }
        if state.commandLine != nil { return handleCommandLine(key) }
        if state.editingFilter { return handleFilter(key) }
        state.flash = nil
        if state.detail != nil, let effects = handleDetail(key) { return effects }
        guard let binding = Bindings.action(for: key, in: state.view) else { return [] }
        if binding.mutates, state.readonly {
            flash("\(binding.hint ?? "this action") is disabled: \(state.readonlyReason)", .warn)
            return []
        }
        return perform(binding.action)
    }

    private mutating func perform(_ action: ConsoleAction) -> [ConsoleEffect] {
        switch action {
        case .moveUp: move(-1)
        case .moveDown: move(1)
        case .top: move(Int.min / 2)
        case .bottom: move(Int.max / 2)
        case .pageUp: move(-state.tableRows)
        case .pageDown: move(state.tableRows)
        case .filter: state.editingFilter = true
        case .command: state.commandLine = ""
        case .help: state.showHelp = true
        case .nextPane, .previousPane:
            let all = ConsoleView.allCases
            let i = all.firstIndex(of: state.view) ?? 0
            show(all[(i + (action == .nextPane ? 1 : all.count - 1)) % all.count])
        case .show(let view): show(view)
        case .back:
            if !state.filter.isEmpty {
                state.filter = ""
                recompute()
            } else if !state.marked.isEmpty {
                state.marked = []
            }
        case .quit: return [.quit]
        case .redraw: return [.redraw]
        case .openDetail:
            let uuid = switch state.view {
            case .orphans: selectedReview?.artifactUUID
            case .events: selectedEvent?.entityId
            default: selectedArtifact?.summary.uuid
            }
            guard let uuid else { return [] }
            state.detail = uuid
            detailScroll = 0
            detailContent = nil
            return [.loadDetail(uuid)]
        case .mark:
            guard let review = selectedReview else { return [] }
            if state.marked.contains(review.id) { state.marked.remove(review.id) } else { state.marked.insert(review.id) }
            move(1)
        case .resync:
            state.dialog = .syncPlan
            return [.loadPlan]
        case .approve: return startDecision(.approve)
        case .reject: return startDecision(.reject)
        case .confirmRetention: return startDecision(.confirmRetention)
        }
        return []
    }

    private mutating func show(_ view: ConsoleView) {
        state.view = view
        state.detail = nil
    }

    private mutating func move(_ delta: Int) {
        var c = state[cursor: state.view]
        c.selected = c.selected.addingReportingOverflow(delta).overflow ? (delta < 0 ? 0 : Int.max / 2) : c.selected + delta
        c.clamp(count: visible[state.view]?.count ?? 0, visible: state.tableRows)
        state[cursor: state.view] = c
    }

    /// Opens the confirmation for a decision on the marked rows (or the selected one).
    private mutating func startDecision(_ decision: ReviewDecision) -> [ConsoleEffect] {
        let marked = data.reviews.filter { state.marked.contains($0.id) }
        let targets = marked.isEmpty ? (selectedReview.map { [$0] } ?? []) : marked
        guard !targets.isEmpty else {
            flash("no orphan selected: move to a row in the orphans view", .warn)
            return []
        }
        let refusals = targets.compactMap { ReviewRules.check(decision, on: $0, allowUnverified: true) }
        if let first = refusals.first {
            flash(targets.count == 1 ? first : "\(refusals.count) of \(targets.count) marked rows cannot take this: \(first)", .warn)
            return []
        }
        let shown = Set(visible[.orphans]?.map { data.reviews[$0].id } ?? [])
        let hidden = targets.filter { !shown.contains($0.id) }.count
        if hidden > 0 { flash("\(hidden) marked row(s) are hidden by the filter /\(state.filter); they are included", .warn) }
        let unverified = targets.contains { $0.verdict == .unverified }
        if decision == .approve && (targets.count > 1 || unverified) {
            state.dialog = .typed(decision: decision, reviews: targets, expected: String(targets.count), typed: "", force: unverified)
        } else {
            state.dialog = .confirm(decision: decision, reviews: targets)
        }
        return []
    }

    private mutating func handleDialog(_ key: Key) -> [ConsoleEffect] {
        guard let dialog = state.dialog else { return [] }
        if key == .escape {
            state.dialog = nil
            flash("cancelled", .dim)
            return []
        }
        switch dialog {
        case .syncPlan:
            guard key == .char("y") else { return [] }
            guard case .ready = data.plan else {
                flash("the plan is not ready yet: press y again once it shows", .warn)
                return []
            }
            state.dialog = nil
            state.view = .sync
            flash("sync requested", .progress)
            return [.startSync]
        case .confirm(let decision, let reviews):
            guard key == .char("y") else { return [] }
            state.dialog = nil
            state.marked = []
            return [.decide(decision, reviews: reviews, force: false)]
        case .typed(let decision, let reviews, let expected, var typed, let force):
            switch key {
            case .char(let c) where c.isNumber || c.isLetter:
                typed.append(c)
            case .backspace, .delete:
                if !typed.isEmpty { typed.removeLast() }
            case .enter:
                guard typed == expected else {
                    flash("typed \"\(typed)\", expected \(expected): nothing done", .warn)
                    state.dialog = .typed(decision: decision, reviews: reviews, expected: expected, typed: "", force: force)
                    return []
                }
                state.dialog = nil
                state.marked = []
                return [.decide(decision, reviews: reviews, force: force)]
            default:
                return []
            }
            state.dialog = .typed(decision: decision, reviews: reviews, expected: expected, typed: typed, force: force)
            return []
        }
    }

    private mutating func handleFilter(_ key: Key) -> [ConsoleEffect] {
        switch key {
        case .escape:
            state.filter = ""
            state.editingFilter = false
        case .enter:
            state.editingFilter = false
        case .backspace, .delete:
            if !state.filter.isEmpty { state.filter.removeLast() }
        case .char(let c):
            state.filter.append(c)
        default:
            return []
        }
        recompute()
        return []
    }

    private mutating func handleCommandLine(_ key: Key) -> [ConsoleEffect] {
        guard var line = state.commandLine else { return [] }
        switch key {
        case .escape:
            state.commandLine = nil
        case .backspace, .delete:
            if line.isEmpty { state.commandLine = nil } else { line.removeLast(); state.commandLine = line }
        case .char(let c):
            line.append(c)
            state.commandLine = line
        case .enter:
            state.commandLine = nil
            return run(command: line.trimmingCharacters(in: .whitespaces))
        default:
            break
        }
        return []
    }

    private mutating func run(command: String) -> [ConsoleEffect] {
        let words = command.split(separator: " ").map(String.init)
        guard let verb = words.first else { return [] }
        if let view = ConsoleView(rawValue: verb) {
            show(view)
            return []
        }
        switch verb {
        case "q", "quit": return [.quit]
        case "theme":
            guard words.count == 2 else {
                flash("usage: :theme NAME (default, high-contrast, solarized-dark, mono, or a file)", .warn)
                return []
            }
            return [.setTheme(words[1])]
        case "help": state.showHelp = true
        default: flash("unknown command :\(command) — try :artifacts :replicas :orphans :sync :events :theme NAME :q", .warn)
        }
        return []
    }

    /// Keys in the detail view: scroll, Esc back. Nil lets the global bindings handle it.
    private mutating func handleDetail(_ key: Key) -> [ConsoleEffect]? {
        switch key {
        case .escape, .char("h"), .left:
            state.detail = nil
            return []
        case .up, .char("k"): detailScroll = max(0, detailScroll - 1)
        case .down, .char("j"): detailScroll += 1
        case .pageUp: detailScroll = max(0, detailScroll - state.tableRows)
        case .pageDown: detailScroll += state.tableRows
        case .char("g"): detailScroll = 0
        default: return nil
        }
        return []
    }
}
