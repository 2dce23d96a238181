import Core

/// A centered box with a title and lines, for dialogs and help.
struct Box {
    var title: String
    var lines: [(String, ThemeRole)]
    var footer: String

    func render(in screen: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        let g = theme.glyphs
        let contentWidth = min(screen.width - 6, max(TextWidth.of(title) + 4, TextWidth.of(footer), lines.map { TextWidth.of($0.0) }.max() ?? 0) + 2)
        let height = min(screen.height - 2, lines.count + 4)
        let x = screen.x + (screen.width - contentWidth - 2) / 2
        let y = screen.y + (screen.height - height) / 2
        let border = theme[.borderFocused]
        buffer.fill(Rect(x: x, y: y, width: contentWidth + 2, height: height), style: theme[.text])
        buffer.put(g.topLeft + String(repeating: g.horizontal, count: contentWidth) + g.topRight, x: x, y: y, style: border)
        buffer.put(" \(title) ", x: x + 2, y: y, limit: contentWidth - 2, style: theme[.header])
        for row in 1..<(height - 1) {
            buffer.put(g.vertical, x: x, y: y + row, style: border)
            buffer.put(g.vertical, x: x + contentWidth + 1, y: y + row, style: border)
        }
        for (i, line) in lines.prefix(height - 4).enumerated() {
            buffer.put(line.0, x: x + 2, y: y + 1 + i, limit: contentWidth - 2, style: theme[line.1])
        }
        buffer.put(footer, x: x + 2, y: y + height - 2, limit: contentWidth - 2, style: theme[.hintKey])
        buffer.put(g.bottomLeft + String(repeating: g.horizontal, count: contentWidth) + g.bottomRight, x: x, y: y + height - 1, style: border)
    }
}

/// The dialog boxes.
enum DialogView {
    static func box(_ dialog: Dialog, plan: PlanState, glyphs g: Glyphs) -> Box {
        switch dialog {
        case .syncPlan:
            switch plan {
            case .none, .loading:
                return Box(title: "Resync: plan", lines: [("asking the platform what a sync would do...", .progress)], footer: "Esc cancel")
            case .failed(let why):
                return Box(title: "Resync: plan", lines: [("\(g.err) cannot build the plan: \(why)", .err)], footer: "Esc close")
            case .ready(let p):
                let pending = p.verdicts.count(.deletedOnPlatform), retain = p.verdicts.count(.existsOnPlatform)
                let unverified = p.plan.orphanCandidates.count - pending - retain
                var lines: [(String, ThemeRole)] = [
                    ("\(p.listed) deployments listed by the platform", .text),
                    ("fetch \(p.plan.fetches.count)   status updates \(p.plan.statusUpdates.count)   in sync \(p.plan.inSync)", .text),
                    ("retain \(retain)   pending deletion \(pending)   unverified \(unverified)", pending + unverified > 0 ? .pending : .text),
                    ("drift \(p.plan.drift.count)   unknown state \(p.plan.unknownState.count)", p.plan.drift.isEmpty ? .dim : .warn),
                ]
                for f in p.plan.fetchesInDependencyOrder.prefix(4) {
                    lines.append(("  fetch \(f.deployment.kind.label) \(f.deployment.artifactId) (\(f.reason.rawValue))", .dim))
                }
                for o in p.plan.orphanCandidates.prefix(3) {
                    lines.append(("  orphan \(o.kind.label) \(o.handle) → \(p.verdicts.verdicts[o.uuid]?.rawValue ?? "unchecked")", .pending))
                }
                lines.append(("Nothing is deleted by a sync unless orphan_policy = \"auto\".", .dim))
                return Box(title: "Resync: plan", lines: lines, footer: "y start sync   Esc cancel")
            }
        case .confirm(let decision, let reviews):
            return Box(title: title(decision), lines: describe(decision, reviews, g), footer: "y confirm   Esc cancel")
        case .typed(let decision, let reviews, let expected, let typed, let force):
            var lines = describe(decision, reviews, g)
            if force { lines.append(("\(g.warn) unverified: the platform could not be asked whether these still exist", .warn)) }
            lines.append(("type \(expected) and press Enter to confirm: \(typed)_", .header))
            return Box(title: title(decision), lines: lines, footer: "Enter confirm   Esc cancel")
        }
    }

    static func title(_ d: ReviewDecision) -> String {
        switch d {
        case .approve: "Approve deletion"
        case .reject: "Reject deletion (keep)"
        case .confirmRetention: "Confirm retention"
        }
    }

    static func describe(_ d: ReviewDecision, _ reviews: [OrphanReview], _ g: Glyphs) -> [(String, ThemeRole)] {
        let keys = reviews.reduce(0) { $0 + $1.apiKeys }, subs = reviews.reduce(0) { $0 + $1.subscriptions }
        var lines: [(String, ThemeRole)] = []
        switch d {
        case .approve:
            lines.append(("Delete \(reviews.count) artifact(s) with \(keys) API key(s) and \(subs) subscription(s):", .pending))
        case .reject:
            lines.append(("Keep \(reviews.count) artifact(s); they stay until the artifact changes:", .text))
        case .confirmRetention:
            lines.append(("Confirm \(reviews.count) retained artifact(s), keys and subscriptions kept:", .retained))
        }
        for r in reviews.prefix(6) {
            lines.append(("  \(r.kind.label) \(r.handle)  keys \(r.apiKeys) subs \(r.subscriptions)  \(r.verdict.rawValue)", .text))
        }
        if reviews.count > 6 { lines.append(("  ... and \(reviews.count - 6) more", .dim)) }
        return lines
    }
}

/// `?`: help generated from the bindings of the current view.
struct HelpView {
    var view: ConsoleView
    var readonly: Bool

    func box() -> Box {
        var lines: [(String, ThemeRole)] = []
        for b in Bindings.active(in: view, readonly: readonly) {
            lines.append(("\(TextWidth.pad(b.keyLabel, to: 12)) \(b.help)\(b.mutates ? "  (confirms first)" : "")", b.mutates ? .pending : .text))
        }
        if readonly { lines.append(("read-only: actions that change something are disabled", .dim)) }
        return Box(title: "Keys — \(view.rawValue)", lines: lines, footer: "Esc or ? close")
    }
}
