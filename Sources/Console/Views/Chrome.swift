import Core

/// The frame around the views: border, header, pulse strip, view title bar, flash line, hints.
struct Chrome {
    var data: ConsoleData
    var state: ConsoleState
    var now: Timestamp

    /// Draws the frame and returns the rectangle left for the main view.
    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) -> Rect {
        let g = theme.glyphs
        let border = theme[.border]
        let w = rect.width, h = rect.height
        // Top border with the header in it.
        buffer.put(g.topLeft + String(repeating: g.horizontal, count: max(0, w - 2)) + g.topRight, x: 0, y: 0, style: border)
        header(x: 2, y: 0, width: w - 5, into: &buffer, theme: theme)
        for y in 1..<(h - 1) {
            buffer.put(g.vertical, x: 0, y: y, style: border)
            buffer.put(g.vertical, x: w - 1, y: y, style: border)
        }
        pulse(y: 1, width: w, into: &buffer, theme: theme)
        titleBar(y: 3, width: w, into: &buffer, theme: theme)
        // Flash line, hint bar, bottom border.
        buffer.put(g.teeLeft + String(repeating: g.horizontal, count: max(0, w - 2)) + g.teeRight, x: 0, y: h - 3, style: border)
        if let flash = state.flash {
            buffer.put(" \(flash.text) ", x: 2, y: h - 3, limit: w - 4, style: theme[flash.role])
        }
        HintBar(view: state.view, readonly: state.readonly, hasMarks: !state.marked.isEmpty)
            .render(in: Rect(x: 2, y: h - 2, width: w - 4, height: 1), into: &buffer, theme: theme)
        buffer.put(g.bottomLeft + String(repeating: g.horizontal, count: max(0, w - 2)) + g.bottomRight, x: 0, y: h - 1, style: border)
        return Rect(x: 1, y: 4, width: w - 2, height: h - 7)
    }

    private func header(x: Int, y: Int, width: Int, into buffer: inout ScreenBuffer, theme: Theme) {
        let hd = data.header
        var parts: [(String, ThemeRole)] = [(" \(hd.gateway) ", .header), (" \(hd.badge) ", hd.readonly ? .badgeRO : .badgeRW)]
        let compact = width < 100
        let g = theme.glyphs
        switch hd.platformReachable {
        case .some(true): parts.append((compact ? "  \(g.ok) platform" : "  platform \(g.ok) reachable", .ok))
        case .some(false): parts.append((compact ? "  \(g.err) platform" : "  platform \(g.err) unreachable", .err))
        case .none: parts.append((compact ? "  \(g.unknown) platform" : "  platform \(g.unknown) unknown", .unknown))
        }
        if let loaded = data.loadedAt {
            let age = max(0, now.seconds(since: loaded))
            parts.append(((compact ? "  " : "  data ") + "\(Format.seconds(age)) ago", age > 10 ? .warn : .dim))
        } else {
            parts.append(("  no data yet", .unknown))
        }
        // The operator always shows; the store gets what is left, cut in the middle so the file
        // name stays visible.
        let who = "  \(hd.operatorName) "
        let room = width - parts.reduce(0) { $0 + TextWidth.of($1.0) } - TextWidth.of(who) - hd.backend.count - 3
        let location = Self.middleTruncate(hd.location, to: max(10, room), ellipsis: theme.glyphs.ellipsis)
        parts += [("  \(hd.backend) \(location)", .dim), (who, .text)]
        var cx = x
        for (text, role) in parts where cx < x + width {
            cx += buffer.put(text, x: cx, y: y, limit: x + width - cx, style: theme[role])
        }
    }

    /// `/var/lib/…/gateway.db`: keeps the start and the end.
    static func middleTruncate(_ text: String, to width: Int, ellipsis: String) -> String {
        guard TextWidth.of(text) > width, width > 4 else { return text }
        let tail = (width - 1) * 2 / 3, head = width - 1 - tail
        return String(text.prefix(head)) + ellipsis + String(text.suffix(tail))
    }

    private func pulse(y: Int, width: Int, into buffer: inout ScreenBuffer, theme: Theme) {
        let c = data.counts
        let reviews = data.reviews
        let pending = reviews.filter { $0.status == .pending }.count
        let retained = reviews.filter { $0.status == .retained || $0.status == .retentionConfirmed }.count
        let statuses = data.replicas.map(\.status)
        let ok = statuses.filter { $0 == .ok }.count
        let warn = statuses.filter { $0 == .warn }.count
        let warming = statuses.filter { $0 == .warming }.count
        let errs = statuses.filter { [.down, .gone, .stall].contains($0) }.count
        let g = theme.glyphs
        var cx = 2
        func put(_ text: String, _ role: ThemeRole, row: Int = 0) {
            cx += buffer.put(text, x: cx, y: y + row, limit: width - 1 - cx, style: theme[role])
        }
        let compact = width < 110
        put(compact ? "ARTIFACTS \(c.total) " : "ARTIFACTS \(c.total)  ", .header)
        put(compact ? "Depl \(c.deployed) " : "Deployed \(c.deployed) ", .ok)
        put(compact ? "Undepl \(c.undeployed)" : "Undeployed \(c.undeployed)", .unknown)
        put(" \(g.vertical) ", .border)
        put("InSync \(data.inSyncCount) ", .ok)
        put(compact ? "OutSync \(data.outOfSyncCount)" : "OutOfSync \(data.outOfSyncCount)", data.outOfSyncCount > 0 ? .warn : .dim)
        put(" \(g.vertical) ", .border)
        put("ORPHANS ", .header)
        put(compact ? "pend \(pending) " : "pending \(pending) ", pending > 0 ? .pending : .dim)
        put(compact ? "ret \(retained)" : "retained \(retained)", .retained)
        cx = 2
        put("REPLICAS \(statuses.count)  ", .header, row: 1)
        put("\(g.ok)OK \(ok)  ", .ok, row: 1)
        put("\(g.warn)WARN \(warn)  ", warn > 0 ? .warn : .dim, row: 1)
        put("\(g.err)ERR \(errs)", errs > 0 ? .err : .dim, row: 1)
        if warming > 0 { put("  \(g.unknown)WARMING \(warming)", .unknown, row: 1) }
        put(" \(g.vertical) ", .border, row: 1)
        if let run = data.runs.first {
            let badge = StatusBadge.outcome(run.outcome)
            let when = run.outcome == .running ? "\(run.phase.rawValue) \(run.counters.fetched)/\(run.counters.toFetch)" : "\(Format.seconds(max(0, now.seconds(since: run.finishedAt ?? run.startedAt)))) ago"
            put("SYNC #\(run.id) ", .header, row: 1)
            put("\(badge.glyph(g)) \(run.outcome.rawValue) \(when)", badge.role, row: 1)
        } else {
            put("SYNC never run", .unknown, row: 1)
        }
    }

    private func titleBar(y: Int, width: Int, into buffer: inout ScreenBuffer, theme: Theme) {
        let g = theme.glyphs
        buffer.put(g.teeLeft + String(repeating: g.horizontal, count: max(0, width - 2)) + g.teeRight, x: 0, y: y, style: theme[.border])
        var title = " \(state.detail == nil ? state.view.rawValue : "artifact detail") "
        if let command = state.commandLine {
            title += " :\(command)_ "
        } else if state.editingFilter || !state.filter.isEmpty {
            title += " [/\(state.filter)\(state.editingFilter ? "_" : "")] "
        }
        let cx = 2 + buffer.put(title, x: 2, y: y, limit: width - 4, style: theme[.borderFocused])
        let right = " <:>cmd </>filter <?>help "
        let rx = width - 2 - TextWidth.of(right)
        if rx > cx + 1 { buffer.put(right, x: rx, y: y, style: theme[.hintText]) }
    }
}

/// The key hint bar: only the actions valid in this view (no mutations in read-only).
struct HintBar {
    var view: ConsoleView
    var readonly: Bool
    var hasMarks: Bool

    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        var cx = rect.x
        for b in Bindings.active(in: view, readonly: readonly) {
            guard let hint = b.hint else { continue }
            let key = b.keys[0].description
            let needed = TextWidth.of(key) + TextWidth.of(hint) + 3
            guard cx + needed <= rect.maxX else { break }
            cx += buffer.put(key, x: cx, y: rect.y, style: theme[.hintKey])
            cx += buffer.put(" \(hint)  ", x: cx, y: rect.y, style: theme[.hintText])
        }
        if readonly, cx + 12 <= rect.maxX {
            buffer.put("read-only", x: rect.maxX - 9, y: rect.y, style: theme[.badgeRO])
        }
    }
}
