/// A rectangle of terminal cells.
struct Rect: Equatable, Sendable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    var maxX: Int { x + width }
    var maxY: Int { y + height }
    var isEmpty: Bool { width == 0 || height == 0 }

    /// The rectangle shrunk by `n` on every side.
    func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }

    /// The top `rows` rows, and the rest.
    func splitTop(_ rows: Int) -> (Rect, Rect) {
        let top = min(rows, height)
        return (Rect(x: x, y: y, width: width, height: top), Rect(x: x, y: y + top, width: width, height: height - top))
    }

    /// The bottom `rows` rows, and the rest above them.
    func splitBottom(_ rows: Int) -> (Rect, Rect) {
        let bottom = min(rows, height)
        return (Rect(x: x, y: maxY - bottom, width: width, height: bottom), Rect(x: x, y: y, width: width, height: height - bottom))
    }

    /// One row of this rectangle.
    func row(_ i: Int) -> Rect { Rect(x: x, y: y + i, width: width, height: i < height ? 1 : 0) }
}

/// Display width of text in terminal columns (wide East Asian characters take two).
enum TextWidth {
    static func of(_ text: String) -> Int {
        var total = 0
        for c in text { total += of(c) }
        return total
    }

    static func of(_ c: Character) -> Int {
        guard let scalar = c.unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x1100 { return v < 0x20 ? 0 : 1 }
        if isWide(v) { return 2 }
        return 1
    }

    /// Symbols with emoji presentation that terminals draw two columns wide (⚓ among them).
    static let wideSymbols: Set<UInt32> = [
        0x231A, 0x231B, 0x23E9, 0x23EA, 0x23EB, 0x23EC, 0x23F0, 0x23F3, 0x25FD, 0x25FE, 0x2614, 0x2615, 0x267F, 0x2693,
        0x26A1, 0x26AA, 0x26AB, 0x26BD, 0x26BE, 0x26C4, 0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2, 0x26F3, 0x26F5, 0x26FA,
        0x26FD, 0x2705, 0x270A, 0x270B, 0x2728, 0x274C, 0x274E, 0x2753, 0x2754, 0x2755, 0x2757, 0x2795, 0x2796, 0x2797,
        0x27B0, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50, 0x2B55,
    ]

    static func isWide(_ v: UInt32) -> Bool {
        (0x2648...0x2653).contains(v) || wideSymbols.contains(v) || (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
            || (0x20000...0x3FFFD).contains(v)
    }

    /// `text` cut to `width` columns, with `…` when cut.
    static func truncate(_ text: String, to width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        if of(text) <= width { return text }
        var out = ""
        var used = 0
        let limit = width - of(ellipsis)
        for c in text {
            let w = of(c)
            if used + w > limit { break }
            out.append(c)
            used += w
        }
        return out + ellipsis
    }

    /// `text` padded with spaces (or cut) to exactly `width` columns.
    static func pad(_ text: String, to width: Int, alignRight: Bool = false, ellipsis: String = "…") -> String {
        let cut = truncate(text, to: width, ellipsis: ellipsis)
        let gap = String(repeating: " ", count: max(0, width - of(cut)))
        return alignRight ? gap + cut : cut + gap
    }
}
