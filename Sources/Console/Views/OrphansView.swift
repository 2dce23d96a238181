import Core

/// `orphans`: pending deletions, unverified and retained artifacts, with what is at stake.
struct OrphansView {
    var reviews: [OrphanReview]
    var visible: [Int]
    var cursor: TableCursor
    var filter: String
    var marked: Set<Int64>
    var now: Timestamp

    static let columns = [
        TableColumn(title: "STATUS", width: 20), TableColumn(title: "KIND", width: 10),
        TableColumn(title: "NAME", width: 14, flex: 4), TableColumn(title: "PLATFORM", width: 10),
        TableColumn(title: "KEYS", width: 4, alignRight: true), TableColumn(title: "SUBS", width: 4, alignRight: true),
        TableColumn(title: "DETECTED", width: 9, alignRight: true, hideBelow: 100),
        TableColumn(title: "RUN", width: 5, alignRight: true, hideBelow: 100), TableColumn(title: "REASON", width: 8, flex: 1, hideBelow: 100),
    ]

    /// What the exists check said, in a word: the platform has `deleted` it, it still `exists`,
    /// or it was `unverified`.
    static func platformWord(_ v: OrphanVerdict) -> String {
        switch v {
        case .deletedOnPlatform: "deleted"
        case .existsOnPlatform: "exists"
        case .unverified: "unverified"
        }
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        let g = theme.glyphs
        TableWidget(
            columns: Self.columns, rowCount: visible.count, cursor: cursor, filter: filter,
            row: { i in
                let r = reviews[visible[i]]
                let badge = StatusBadge.review(r)
                let stake: ThemeRole = r.apiKeys + r.subscriptions > 0 ? .warn : .dim
                return [
                    TableCell(badge.text(g), badge.role), TableCell(r.kind.label), TableCell(r.handle),
                    TableCell(Self.platformWord(r.verdict), r.verdict == .unverified ? .warn : .dim),
                    TableCell(String(r.apiKeys), stake), TableCell(String(r.subscriptions), stake),
                    TableCell("\(Format.seconds(max(0, now.seconds(since: r.detectedAt)))) ago", .dim),
                    TableCell(r.detectedRun.map { "#\($0)" } ?? "—", .dim), TableCell(r.reason ?? "", .dim),
                ]
            },
            isMarked: { marked.contains(reviews[visible[$0]].id) },
            emptyText: filter.isEmpty ? "no orphans: nothing waits for a decision" : "no orphan matches /\(filter)"
        ).render(in: rect, into: &buffer, theme: theme)
    }
}

/// `sync`: the current or last run live, then the last runs.
struct SyncView {
    var runs: [SyncRunRecord]
    var now: Timestamp

    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        let g = theme.glyphs
        guard let run = runs.first else {
            buffer.put("no sync has run yet: press S to see the plan and start one", x: rect.x + 2, y: rect.y, style: theme[.dim])
            return
        }
        let badge = StatusBadge.outcome(run.outcome)
        let c = run.counters
        var y = rect.y
        func line(_ text: String, _ role: ThemeRole, indent: Int = 2) {
            guard y < rect.maxY else { return }
            buffer.put(text, x: rect.x + indent, y: y, limit: rect.width - indent - 1, style: theme[role])
            y += 1
        }
        let elapsed = (run.finishedAt ?? now).seconds(since: run.startedAt)
        line("RUN #\(run.id)  \(badge.text(g)) \(run.outcome.rawValue)   phase \(run.phase.rawValue)   trigger \(run.trigger.rawValue) by \(run.requestedBy)   \(Format.seconds(elapsed))", badge.role)
        if y < rect.maxY {
            ProgressBar(done: c.fetched + c.stale + c.missing, total: c.toFetch).render(
                in: Rect(x: rect.x + 2, y: y, width: min(60, rect.width - 4), height: 1), into: &buffer, theme: theme)
            y += 1
        }
        line("listed \(c.listed)  fetched \(c.fetched)/\(c.toFetch)  status updates \(c.statusUpdated)  stale \(c.stale)  drift \(c.drift)  skipped \(c.skipped)  missing \(c.missing)", .text)
        line("orphans: pending deletion \(c.pendingDeletion)  retained \(c.retained)  unverified \(c.unverified)  deleted \(c.deleted)   errors \(c.errors)", c.errors > 0 ? .warn : .text)
        for error in run.errors.prefix(max(0, min(5, rect.maxY - y - 3))) { line("\(g.warn) \(error)", .warn, indent: 4) }
        y += 1
        line("LAST RUNS", .title)
        for r in runs.dropFirst().prefix(max(0, rect.maxY - y)) {
            let b = StatusBadge.outcome(r.outcome)
            line("#\(r.id)  \(b.text(g)) \(r.outcome.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(r.trigger.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(ArtifactsView.shortTime(r.startedAt))  fetched \(r.counters.fetched)  errors \(r.counters.errors)", b.role)
        }
    }
}
