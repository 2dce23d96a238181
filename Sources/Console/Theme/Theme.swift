/// Semantic roles a theme gives a style to. Views ask for a role, never a raw color.
package enum ThemeRole: String, CaseIterable, Sendable {
    case text, dim, header, title, border
    case borderFocused = "border-focused"
    case selection
    case hintKey = "hint-key"
    case hintText = "hint-text"
    case ok, warn, err, pending, retained, unknown, progress
    case badgeRW = "badge-rw"
    case badgeRO = "badge-ro"
    case filterMatch = "filter-match"
    case mark, flash
}

/// How many colors the terminal shows.
package enum ColorMode: Sendable, Equatable {
    /// `NO_COLOR`, or a terminal without colors: attributes only.
    case none
    case ansi16
    case full
}

/// A named set of role styles plus the glyph set in use.
package struct Theme: Sendable, Equatable {
    package var name: String
    package var styles: [ThemeRole: Style]
    package var glyphs: Glyphs = .unicode

    package init(name: String, styles: [ThemeRole: Style], glyphs: Glyphs = .unicode) {
        self.name = name
        self.styles = styles
        self.glyphs = glyphs
    }

    subscript(role: ThemeRole) -> Style { styles[role] ?? styles[.text] ?? .plain }

    /// The theme adapted to the terminal: colors folded to 16 or dropped, ASCII glyphs.
    func adapted(colors: ColorMode, unicode: Bool) -> Theme {
        var t = self
        t.glyphs = unicode ? .unicode : .ascii
        for (role, style) in styles {
            var s = style
            switch colors {
            case .none:
                s = s.colorless
                // Without color, the selection and badges still need to stand out.
                if role == .selection || role == .badgeRW || role == .badgeRO || role == .hintKey { s.reverse = true }
            case .ansi16:
                s.fg = s.fg.ansi16
                s.bg = s.bg.ansi16
            case .full:
                break
            }
            t.styles[role] = s
        }
        return t
    }
}
