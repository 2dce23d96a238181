/// An in-memory terminal for tests: a cell buffer and a scripted key queue.
final class TestBackend: TerminalBackend {
    private(set) var screen: ScreenBuffer
    var keys: [Key]
    var colorMode: ColorMode
    var unicode: Bool
    private(set) var flushes = 0
    private(set) var isShutDown = false

    init(width: Int, height: Int, keys: [Key] = [], colorMode: ColorMode = .full, unicode: Bool = true) {
        screen = ScreenBuffer(width: width, height: height)
        self.keys = keys
        self.colorMode = colorMode
        self.unicode = unicode
    }

    var size: (width: Int, height: Int) { (screen.width, screen.height) }

    func resize(width: Int, height: Int) {
        screen = ScreenBuffer(width: width, height: height)
        keys.insert(.resize, at: 0)
    }

    func draw(_ runs: [CellRun]) {
        for run in runs {
            for (i, cell) in run.cells.enumerated() where run.x + i < screen.width && run.y < screen.height {
                screen[run.x + i, run.y] = cell
            }
        }
    }

    func flush() { flushes += 1 }
    func invalidate() {}

    func nextKey(timeoutMilliseconds: Int) -> Key? {
        keys.isEmpty ? nil : keys.removeFirst()
    }

    func shutdown() { isShutDown = true }
}
