/// A one-row chart of values, newest on the right.
struct Sparkline {
    var values: [Double]

    func text(width: Int, glyphs: Glyphs) -> String {
        guard width > 0 else { return "" }
        let shown = Array(values.suffix(width))
        guard let top = shown.max(), top > 0 else {
            return String(repeating: " ", count: width - shown.count) + String(repeating: glyphs.spark[0], count: shown.count)
        }
        let levels = glyphs.spark.count - 1
        let bars = shown.map { v in glyphs.spark[Int((max(0, v) / top * Double(levels)).rounded())] }
        return String(repeating: " ", count: width - shown.count) + bars.joined()
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme, role: ThemeRole = .progress) {
        buffer.put(text(width: rect.width, glyphs: theme.glyphs), x: rect.x, y: rect.y, limit: rect.width, style: theme[role])
    }
}

/// A horizontal progress bar with a percentage.
struct ProgressBar {
    var done: Int
    var total: Int

    var fraction: Double { total <= 0 ? 0 : min(1, Double(done) / Double(total)) }

    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        let label = " \(Int((fraction * 100).rounded()))% \(done)/\(total)"
        let barWidth = max(0, rect.width - TextWidth.of(label))
        let filled = Int((Double(barWidth) * fraction).rounded())
        buffer.put(String(repeating: theme.glyphs.barFull, count: filled), x: rect.x, y: rect.y, style: theme[.progress])
        buffer.put(String(repeating: theme.glyphs.barEmpty, count: barWidth - filled), x: rect.x + filled, y: rect.y, style: theme[.dim])
        buffer.put(label, x: rect.x + barWidth, y: rect.y, limit: rect.width - barWidth, style: theme[.text])
    }
}
