/// The glyphs the console draws: Unicode, or ASCII when the locale is not UTF-8.
package struct Glyphs: Equatable, Sendable {
    var ok, progress, warn, err, unknown, pending, retained: String
    var horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight, teeLeft, teeRight: String
    var spark: [String]
    var barFull, barEmpty, mark, selected, ellipsis: String

    package static let unicode = Glyphs(
        ok: "✓", progress: "◐", warn: "!", err: "✗", unknown: "?", pending: "⌫", retained: "⚓",
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘", teeLeft: "├",
        teeRight: "┤", spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], barFull: "█", barEmpty: "░", mark: "●",
        selected: "▶", ellipsis: "…")

    package static let ascii = Glyphs(
        ok: "+", progress: "~", warn: "!", err: "x", unknown: "?", pending: "D", retained: "R",
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+", teeLeft: "+",
        teeRight: "+", spark: [" ", ".", ":", "-", "=", "+", "*", "#"], barFull: "#", barEmpty: ".", mark: "*",
        selected: ">", ellipsis: "~")
}
