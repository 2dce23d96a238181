import Testing
import ConsoleTesting
@testable import Console

struct WidgetTests {
    @Test func sparklineScalesToTheMaximumAndRightAligns() {
        #expect(Sparkline(values: [0, 1, 2, 4, 8]).text(width: 6, glyphs: .unicode) == " ▁▂▃▅█")
        #expect(Sparkline(values: [0, 0]).text(width: 4, glyphs: .unicode) == "  ▁▁")
        #expect(Sparkline(values: [1, 2, 3]).text(width: 2, glyphs: .ascii) == "+#")
    }

    @Test func progressBarShowsPercentAndCounts() {
        var b = ScreenBuffer(width: 30, height: 1)
        ProgressBar(done: 1, total: 4).render(in: b.bounds, into: &b, theme: .test)
        ScreenSnapshot.assert(b, equals: ["██████░░░░░░░░░░░░░░░░ 25% 1/4"])
    }

    @Test func tableFlexColumnsTakeTheSpareWidth() {
        let table = TableWidget(
            columns: [TableColumn(title: "A", width: 4), TableColumn(title: "B", width: 4, flex: 1), TableColumn(title: "C", width: 2)],
            rowCount: 0, cursor: TableCursor(), filter: "", row: { _ in [] })
        #expect(table.widths(total: 30) == [4, 20, 2])
    }

    @Test func tableFormatsOnlyVisibleRows() {
        nonisolated(unsafe) var formatted = 0
        var b = ScreenBuffer(width: 40, height: 6)
        TableWidget(
            columns: [TableColumn(title: "N", width: 10)], rowCount: 100_000, cursor: TableCursor(selected: 500, offset: 498),
            filter: "", row: { i in formatted += 1; return [TableCell("row \(i)")] }
        ).render(in: b.bounds, into: &b, theme: .test)
        #expect(formatted == 5)
        #expect(b.trimmedLines[3] == "▶ row 500")
    }

    @Test func cursorStaysVisible() {
        var c = TableCursor(selected: 50, offset: 0)
        c.clamp(count: 100, visible: 10)
        #expect(c.offset == 41)
        c.selected = 500
        c.clamp(count: 100, visible: 10)
        #expect(c.selected == 99 && c.offset == 90)
    }
}
