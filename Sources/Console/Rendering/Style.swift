/// A terminal color: the terminal's default, one of the 16 ANSI colors, or a 256-color index.
enum TermColor: Hashable, Sendable {
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
struct Style: Hashable, Sendable {
    var fg: TermColor = .default
    var bg: TermColor = .default
    var bold = false
    var reverse = false
    var underline = false
    var dim = false

    static let plain = Style()

    /// The same attributes without colors (`NO_COLOR`).
    var colorless: Style {
        var s = self
        s.fg = .default
        s.bg = .default
        return s
    }
}

/// One terminal cell: a grapheme (empty for the right half of a wide character) and its style.
struct Cell: Equatable, Sendable {
    var text: String
    var style: Style

    static let blank = Cell(text: " ", style: .plain)
}
