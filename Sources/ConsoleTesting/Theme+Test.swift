import Console

extension Theme {
    /// A fixed theme for snapshot tests.
    package static let test = Theme(
        name: "test",
        styles: Dictionary(uniqueKeysWithValues: ThemeRole.allCases.map { role in
            var s = Style()
            switch role {
            case .ok: s.fg = .ansi(2)
            case .warn: s.fg = .ansi(3)
            case .err: s.fg = .ansi(1)
            case .selection, .badgeRW, .badgeRO: s.reverse = true
            case .header, .title, .hintKey: s.bold = true
            default: break
            }
            return (role, s)
        }))
}
