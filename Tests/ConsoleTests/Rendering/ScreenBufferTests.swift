import Testing
import ConsoleTesting
@testable import Console

struct ScreenBufferTests {
    @Test func putClipsToTheLimitAndTheBuffer() {
        var b = ScreenBuffer(width: 10, height: 2)
        #expect(b.put("hello world", x: 2, y: 0, limit: 5, style: .plain) == 5)
        b.put("overflowing", x: 6, y: 1, style: .plain)
        ScreenSnapshot.assert(b, equals: ["  hello", "      over"])
    }

    @Test func wideCharactersTakeTwoCellsAndNeverHalfFit() {
        var b = ScreenBuffer(width: 5, height: 1)
        #expect(b.put("日本語", x: 0, y: 0, style: .plain) == 4)
        #expect(b[1, 0].text.isEmpty)
        #expect(b.lines == ["日本 "].map { $0 } || b.trimmedLines == ["日本"])
        #expect(TextWidth.of("⚓ Retained") == 11)
        #expect(TextWidth.of("✓ OK") == 4)
    }

    @Test func diffSendsOnlyChangedRuns() {
        var a = ScreenBuffer(width: 10, height: 3)
        a.put("same line", x: 0, y: 0, style: .plain)
        var b = a
        b.put("X", x: 4, y: 1, style: .plain)
        b.put("YZ", x: 7, y: 2, style: .plain)
        let runs = b.changes(since: a)
        #expect(runs == [
            CellRun(x: 4, y: 1, cells: [Cell(text: "X", style: .plain)]),
            CellRun(x: 7, y: 2, cells: [Cell(text: "Y", style: .plain), Cell(text: "Z", style: .plain)]),
        ])
        #expect(b.changes(since: b).isEmpty)
        #expect(b.changes(since: nil).count == 3, "no previous frame: every row")
    }

    @Test func diffCarriesAWideCharactersLeftHalf() {
        var a = ScreenBuffer(width: 6, height: 1)
        a.put("日本", x: 0, y: 0, style: .plain)
        var b = a
        b[3, 0] = Cell(text: "", style: Style(bold: true))
        let runs = b.changes(since: a)
        #expect(runs.first?.x == 2)
    }

    @Test func frameWriterWritesNothingWhenNothingChanged() {
        let backend = TestBackend(width: 20, height: 3)
        let writer = FrameWriter(backend: backend)
        var frame = ScreenBuffer(width: 20, height: 3)
        frame.put("hello", x: 0, y: 0, style: .plain)
        #expect(writer.present(frame) == 3)
        #expect(writer.present(frame) == 0)
        frame.put("J", x: 0, y: 0, style: .plain)
        #expect(writer.present(frame) == 1)
        #expect(backend.screen.trimmedLines[0] == "Jello")
    }
}
