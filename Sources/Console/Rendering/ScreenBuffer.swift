/// An in-memory frame of terminal cells. Views draw into it; the backend diffs two frames and
/// writes only the changes.
package struct ScreenBuffer: Equatable, Sendable {
    package private(set) var width: Int
    package private(set) var height: Int
    private(set) var cells: [Cell]

    package init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// A buffer holding `lines` as unstyled text (for expected screens in tests).
    package init(lines: [String]) {
        let w = lines.map(TextWidth.of).max() ?? 0
        self.init(width: w, height: lines.count)
        for (y, line) in lines.enumerated() { put(line, x: 0, y: y, style: .plain) }
    }

    var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    package subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` at (x, y), clipped to `limit` columns and the buffer; returns columns used.
    @discardableResult
    mutating func put(_ text: String, x: Int, y: Int, limit: Int? = nil, style: Style) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let end = min(width, limit.map { x + max(0, $0) } ?? width)
        var col = x
        for c in text {
            let w = TextWidth.of(c)
            if w == 0 { continue }
            if col + w > end { break }
            if col >= 0 {
                self[col, y] = Cell(text: String(c), style: style)
                if w == 2 { self[col + 1, y] = Cell(text: "", style: style) }
            }
            col += w
        }
        return col - x
    }

    /// Paints `rect` with spaces in `style`.
    mutating func fill(_ rect: Rect, style: Style) {
        let r = clip(rect)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { self[x, y] = Cell(text: " ", style: style) }
        }
    }

    /// Changes the style of the cells in `rect`, keeping their text.
    mutating func restyle(_ rect: Rect, _ change: (inout Style) -> Void) {
        let r = clip(rect)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { change(&cells[y * width + x].style) }
        }
    }

    func clip(_ rect: Rect) -> Rect {
        let x0 = max(0, rect.x), y0 = max(0, rect.y)
        return Rect(x: x0, y: y0, width: min(width, rect.maxX) - x0, height: min(height, rect.maxY) - y0)
    }

    /// The text of each row, trailing spaces kept.
    package var lines: [String] {
        (0..<height).map { y in (0..<width).map { self[$0, y].text }.joined() }
    }

    /// The text of each row with trailing spaces removed (for readable snapshots).
    package var trimmedLines: [String] {
        lines.map { line in
            var s = Substring(line)
            while s.last == " " { s = s.dropLast() }
            return String(s)
        }
    }
}

/// A run of changed cells on one row, to write at once.
package struct CellRun: Equatable, Sendable {
    package var x: Int
    package var y: Int
    package var cells: [Cell]
}

extension ScreenBuffer {
    /// What must be written to turn `old` into `self`: runs of changed cells per row. Everything
    /// when the size changed or there is no previous frame.
    func changes(since old: ScreenBuffer?) -> [CellRun] {
        let full = old == nil || old!.width != width || old!.height != height
        var runs: [CellRun] = []
        for y in 0..<height {
            var x = 0
            while x < width {
                let i = y * width + x
                if !full, old!.cells[i] == cells[i] {
                    x += 1
                    continue
                }
                var run = CellRun(x: x, y: y, cells: [])
                while x < width, full || old!.cells[y * width + x] != cells[y * width + x] {
                    run.cells.append(cells[y * width + x])
                    x += 1
                }
                // A wide character's right half travels with its left half.
                if run.cells.first?.text.isEmpty == true, run.x > 0 {
                    run.x -= 1
                    run.cells.insert(self[run.x, y], at: 0)
                }
                runs.append(run)
            }
        }
        return runs
    }
}
