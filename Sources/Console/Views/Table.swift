/// A column of a table: a title and a width rule.
struct TableColumn: Sendable {
    var title: String
    /// Fixed width, or the minimum when `flex` is set.
    var width: Int
    /// Share of the space left after fixed columns.
    var flex = 0
    var alignRight = false
    /// Hidden when the table is narrower than this (narrow terminals keep the essential columns).
    var hideBelow = 0
}

/// A cell of a table row: text and an optional role.
struct TableCell: Sendable {
    var text: String
    var role: ThemeRole?

    init(_ text: String, _ role: ThemeRole? = nil) {
        self.text = text
        self.role = role
    }
}

/// A scrolling table that formats only the visible rows.
struct TableWidget {
    var columns: [TableColumn]
    var rowCount: Int
    var cursor: TableCursor
    var filter: String
    /// Builds the cells of row `i`; called only for visible rows.
    var row: (Int) -> [TableCell]
    /// Marked rows get a mark glyph.
    var isMarked: (Int) -> Bool = { _ in false }
    var emptyText = "nothing to show"

    /// Column widths for `total` columns of space (one space between columns).
    func widths(total: Int) -> [Int] {
        let gaps = max(0, columns.count - 1) + 2
        let fixed = columns.reduce(0) { $0 + $1.width }
        let flexTotal = columns.reduce(0) { $0 + $1.flex }
        var spare = max(0, total - gaps - fixed)
        var out = columns.map { $0.width }
        if flexTotal > 0 {
            for (i, c) in columns.enumerated() where c.flex > 0 {
                let extra = spare * c.flex / flexTotal
                out[i] += extra
            }
            spare -= out.enumerated().reduce(0) { $0 + $1.element - columns[$1.offset].width }
            if let last = columns.lastIndex(where: { $0.flex > 0 }) { out[last] += max(0, spare) }
        }
        return out
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        guard rect.height >= 1 else { return }
        let shown = columns.indices.filter { rect.width >= columns[$0].hideBelow }
        var table = self
        table.columns = shown.map { columns[$0] }
        table.row = { i in let cells = row(i); return shown.compactMap { $0 < cells.count ? cells[$0] : nil } }
        table.draw(in: rect, into: &buffer, theme: theme)
    }

    private func draw(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        let widths = widths(total: rect.width)
        var x = rect.x + 2
        for (i, c) in columns.enumerated() where x < rect.maxX {
            buffer.put(TextWidth.pad(c.title, to: widths[i], alignRight: c.alignRight), x: x, y: rect.y, limit: min(widths[i], rect.maxX - x), style: theme[.title])
            x += widths[i] + 1
        }
        let body = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        guard rowCount > 0 else {
            buffer.put(emptyText, x: body.x + 2, y: body.y, limit: body.width - 2, style: theme[.dim])
            return
        }
        let lower = filter.lowercased()
        for line in 0..<body.height {
            let index = cursor.offset + line
            guard index < rowCount else { break }
            let y = body.y + line
            let selected = index == cursor.selected
            let base = selected ? theme[.selection] : theme[.text]
            if selected { buffer.fill(Rect(x: body.x, y: y, width: body.width, height: 1), style: base) }
            let marker = selected ? theme.glyphs.selected : (isMarked(index) ? theme.glyphs.mark : " ")
            buffer.put(marker, x: body.x, y: y, style: isMarked(index) ? merge(base, theme[.mark]) : base)
            var cx = body.x + 2
            for (i, cell) in row(index).enumerated() where i < widths.count && cx < rect.maxX {
                let text = TextWidth.pad(cell.text, to: widths[i], alignRight: columns[i].alignRight, ellipsis: theme.glyphs.ellipsis)
                let style = cell.role.map { merge(base, theme[$0]) } ?? base
                buffer.put(text, x: cx, y: y, limit: min(widths[i], rect.maxX - cx), style: style)
                if !lower.isEmpty, let range = text.lowercased().range(of: lower) {
                    let start = TextWidth.of(String(text[..<range.lowerBound]))
                    let width = TextWidth.of(String(text[range]))
                    buffer.restyle(Rect(x: cx + start, y: y, width: min(width, widths[i] - start), height: 1)) { s in
                        let m = theme[.filterMatch]
                        s.underline = s.underline || m.underline
                        if m.fg != .default { s.fg = m.fg }
                    }
                }
                cx += widths[i] + 1
            }
        }
    }

    /// A role's colors over the selection's background.
    private func merge(_ base: Style, _ role: Style) -> Style {
        var s = role
        if s.bg == .default { s.bg = base.bg }
        s.reverse = s.reverse || base.reverse
        s.bold = s.bold || base.bold
        return s
    }
}
