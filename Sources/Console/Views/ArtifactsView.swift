import Core

/// `artifacts`: KIND NAME STATE SYNC DEPLOYMENT DEPLOYED-AT KEYS.
struct ArtifactsView {
    var rows: [ArtifactRow]
    /// Indices into `rows` that pass the filter.
    var visible: [Int]
    var cursor: TableCursor
    var filter: String

    static let columns = [
        TableColumn(title: "KIND", width: 10), TableColumn(title: "NAME", width: 16, flex: 3),
        TableColumn(title: "STATE", width: 12), TableColumn(title: "SYNC", width: 17),
        TableColumn(title: "DEPLOYMENT", width: 10, flex: 1), TableColumn(title: "DEPLOYED-AT", width: 19, hideBelow: 100),
        TableColumn(title: "KEYS", width: 4, alignRight: true),
    ]

    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        let g = theme.glyphs
        TableWidget(
            columns: Self.columns, rowCount: visible.count, cursor: cursor, filter: filter,
            row: { i in
                let r = rows[visible[i]]
                let state = StatusBadge.state(r.summary.desiredState)
                let sync = StatusBadge.sync(r.sync)
                return [
                    TableCell(r.summary.kind.label), TableCell(r.summary.handle), TableCell(state.text(g), state.role),
                    TableCell(sync.text(g), sync.role), TableCell(r.summary.deploymentId ?? "—", .dim),
                    TableCell(r.summary.deployedAt.map(Self.shortTime) ?? "—", .dim), TableCell(String(r.keys)),
                ]
            },
            emptyText: filter.isEmpty ? "no artifacts yet: press S to sync with the platform" : "no artifact matches /\(filter)"
        ).render(in: rect, into: &buffer, theme: theme)
    }

    /// `2026-03-04 10:30:00` (UTC).
    static func shortTime(_ t: Timestamp) -> String {
        String(t.rfc3339.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}

/// One artifact in detail: fields, review history, keys and subscriptions (what deleting it
/// destroys: masked keys only, never hashes or tokens), recent events, content.
struct ArtifactDetailView {
    var uuid: String
    var row: ArtifactRow?
    var content: String?
    var events: [HubEvent]
    var history: [OrphanReview]
    var keys: [APIKeyRecord] = []
    var subscriptions: [SubscriptionRecord] = []
    var scroll: Int

    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        guard let row else {
            buffer.put("this artifact is no longer in the store   id \(uuid)", x: rect.x + 2, y: rect.y, limit: rect.width - 3, style: theme[.warn])
            return
        }
        let s = row.summary
        let g = theme.glyphs
        var lines: [(String, ThemeRole)] = [
            ("\(s.kind.rawValue) \(s.handle)   id \(s.uuid)", .header),
            ("state \(StatusBadge.state(s.desiredState).text(g))   sync \(StatusBadge.sync(row.sync).text(g))   origin \(s.origin.rawValue)", .text),
            ("deployment \(s.deploymentId ?? "—")   deployed at \(s.deployedAt?.rfc3339 ?? "—")   API keys \(row.keys)", .text),
            ("", .text), ("REVIEW HISTORY", .title),
        ]
        if history.isEmpty { lines.append(("  never orphaned", .dim)) }
        for r in history.prefix(5) {
            let who = r.decidedBy.map { " by \($0)\(r.decidedFrom.map { "@\($0)" } ?? "")" } ?? ""
            lines.append(("  #\(r.id) \(StatusBadge.review(r).text(g))  \(r.verdict.rawValue)  detected \(r.detectedAt.rfc3339)\(who)", StatusBadge.review(r).role))
        }
        lines += [("", .text), ("API KEYS \(keys.count)   SUBSCRIPTIONS \(subscriptions.count)", .title)]
        if keys.isEmpty && subscriptions.isEmpty { lines.append(("  none", .dim)) }
        for k in keys.prefix(5) {
            let expiry = k.expiresAt.map { "  expires \($0.rfc3339)" } ?? ""
            lines.append(("  key \(k.name)  \(k.maskedKey)  \(k.status)\(expiry)", .text))
        }
        if keys.count > 5 { lines.append(("  … \(keys.count - 5) more keys", .dim)) }
        for sub in subscriptions.prefix(5) {
            let plan = sub.planId.map { "  plan \($0)" } ?? ""
            lines.append(("  subscription \(sub.id)  application \(sub.applicationId ?? "—")\(plan)  \(sub.status)", .text))
        }
        if subscriptions.count > 5 { lines.append(("  … \(subscriptions.count - 5) more subscriptions", .dim)) }
        lines += [("", .text), ("RECENT EVENTS", .title)]
        if events.isEmpty { lines.append(("  none retained", .dim)) }
        for e in events.prefix(5) {
            lines.append(("  seq \(e.seq)  \(e.action.rawValue)  \(e.processedAt.rfc3339)  \(e.eventId)", .dim))
        }
        lines += [("", .text), ("CONTENT", .title)]
        for line in (content ?? "(content not loaded)").split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(("  " + line, .text))
        }
        for (i, line) in lines.dropFirst(min(scroll, max(0, lines.count - 1))).prefix(rect.height).enumerated() {
            buffer.put(line.0, x: rect.x + 1, y: rect.y + i, limit: rect.width - 2, style: theme[line.1])
        }
    }
}
