/// The default theme compiled in, for a binary installed without its `themes/` directory.
/// A test keeps it identical to `themes/default.toml`.
enum BuiltinTheme {
    static let defaultTOML = """
# gwops console theme: the default, for 256-color dark terminals.
# Format: docs in README.md ("Themes"). Colors: default, ANSI names, or color0…color255.
name = "default"
description = "Calm colors on the terminal's own background"

[roles]
text = { fg = "default" }
dim = { fg = "color245" }
header = { fg = "bright-white", bold = true }
title = { fg = "color75", bold = true }
border = { fg = "color240" }
border-focused = { fg = "color75" }
selection = { fg = "default", bg = "color237", bold = true }
hint-key = { fg = "color75", bold = true }
hint-text = { fg = "color250" }
ok = { fg = "color114" }
warn = { fg = "color221", bold = true }
err = { fg = "color203", bold = true }
pending = { fg = "color213", bold = true }
retained = { fg = "color110" }
unknown = { fg = "color245" }
progress = { fg = "color81" }
badge-rw = { fg = "black", bg = "color221", bold = true }
badge-ro = { fg = "black", bg = "color114", bold = true }
filter-match = { fg = "color229", underline = true }
mark = { fg = "color213", bold = true }
flash = { fg = "color229" }
"""
}
