/// A terminal color: the terminal's default, one of the 16 ANSI colors, or a 256-color index.
package enum TermColor: Hashable, Sendable {
    case `default`
    case ansi(Int)
    case indexed(Int)

    static let names = [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
        "bright-black", "bright-red", "bright-green", "bright-yellow", "bright-blue", "bright-magenta", "bright-cyan",
        "bright-white",
    ]

    /// Parses `default`, an ANSI name (`green`, `bright-red`), or a 256-color index (`color208`, `208`).
    init?(name: String) {
        let n = name.lowercased()
        if n == "default" || n == "none" {
            self = .default
        } else if let i = Self.names.firstIndex(of: n) {
            self = .ansi(i)
        } else if let i = Int(n.hasPrefix("color") ? String(n.dropFirst(5)) : n), (0...255).contains(i) {
            self = i < 16 ? .ansi(i) : .indexed(i)
        } else {
            return nil
        }
    }

    /// The nearest of the 16 ANSI colors (for 16-color terminals).
    var ansi16: TermColor {
        guard case .indexed(let i) = self else { return self }
        if i >= 232 { return .ansi(i < 244 ? 8 : 7) }
        let c = i - 16
        let (r, g, b) = (c / 36, (c / 6) % 6, c % 6)
        let bright = max(r, g, b) >= 4
        let bits = (r >= 2 ? 1 : 0) | (g >= 2 ? 2 : 0) | (b >= 2 ? 4 : 0)
        return .ansi(bits + (bright && bits != 0 ? 8 : 0))
    }
}

/// How a cell looks: colors and attributes.
package struct Style: Hashable, Sendable {
    package var fg: TermColor = .default
    package var bg: TermColor = .default
    package var bold = false
    package var reverse = false
    package var underline = false
    package var dim = false

    package init(
        fg: TermColor = .default, bg: TermColor = .default, bold: Bool = false, reverse: Bool = false, underline: Bool = false,
        dim: Bool = false
    ) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }

    package static let plain = Style()

    /// The same attributes without colors (`NO_COLOR`).
    package var colorless: Style {
        var s = self
        s.fg = .default
        s.bg = .default
        return s
    }
}

/// One terminal cell: a grapheme (empty for the right half of a wide character) and its style.
package struct Cell: Equatable, Sendable {
    package var text: String
    package var style: Style

    package init(text: String, style: Style) {
        self.text = text
        self.style = style
    }

    package static let blank = Cell(text: " ", style: .plain)
}
