/// What the console needs from a terminal. `NCursesBackend` is the real one; `TestBackend`
/// holds a cell buffer and a scripted key queue.
package protocol TerminalBackend: AnyObject {
    /// Current size in cells.
    var size: (width: Int, height: Int) { get }
    var colorMode: ColorMode { get }
    /// False when the locale is not UTF-8: draw ASCII glyphs.
    var unicode: Bool { get }
    /// Writes runs of changed cells.
    func draw(_ runs: [CellRun])
    /// Makes what was drawn visible.
    func flush()
    /// Forgets what is on screen, so the next frame is drawn whole (Ctrl-L, resize).
    func invalidate()
    /// The next key, waiting at most `timeoutMilliseconds`; nil on timeout.
    func nextKey(timeoutMilliseconds: Int) -> Key?
    /// Restores the terminal. Safe to call twice.
    func shutdown()
}

/// Keeps the last frame and sends only the differences to a backend.
package final class FrameWriter {
    let backend: TerminalBackend
    private var previous: ScreenBuffer?

    package init(backend: TerminalBackend) { self.backend = backend }

    /// Draws `frame`, writing only changed cells; returns how many runs were written.
    @discardableResult
    package func present(_ frame: ScreenBuffer) -> Int {
        let runs = frame.changes(since: previous)
        if !runs.isEmpty {
            backend.draw(runs)
            backend.flush()
        }
        previous = frame
        return runs.count
    }

    func invalidate() {
        previous = nil
        backend.invalidate()
    }
}
