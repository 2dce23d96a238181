import Console
import Foundation
import Synchronization

/// An in-memory terminal for tests and the console benchmark: a cell buffer and a key queue. Thread-safe: the UI loop runs
/// on its own thread while a test sends keys and reads the screen.
package final class TestBackend: TerminalBackend, @unchecked Sendable {
    // @unchecked: every mutable field lives in `state`, behind a Mutex.
    private struct State {
        var screen: ScreenBuffer
        var keys: [Key]
        var flushes = 0
        var isShutDown = false
    }

    private let state: Mutex<State>
    package let colorMode: ColorMode
    package let unicode: Bool

    package init(width: Int, height: Int, keys: [Key] = [], colorMode: ColorMode = .full, unicode: Bool = true) {
        state = Mutex(State(screen: ScreenBuffer(width: width, height: height), keys: keys))
        self.colorMode = colorMode
        self.unicode = unicode
    }

    package var size: (width: Int, height: Int) { state.withLock { ($0.screen.width, $0.screen.height) } }
    package var screen: ScreenBuffer { state.withLock { $0.screen } }
    package var flushes: Int { state.withLock { $0.flushes } }
    package var isShutDown: Bool { state.withLock { $0.isShutDown } }
    package var pendingKeys: Int { state.withLock { $0.keys.count } }

    /// The screen as text rows, trailing spaces removed.
    package var text: String { screen.trimmedLines.joined(separator: "\n") }

    package func send(_ keys: Key...) { state.withLock { $0.keys += keys } }

    package func send(text: String) { state.withLock { $0.keys += text.map { Key.char($0) } } }

    package func resize(width: Int, height: Int) {
        state.withLock {
            $0.screen = ScreenBuffer(width: width, height: height)
            $0.keys.insert(.resize, at: 0)
        }
    }

    package func draw(_ runs: [CellRun]) {
        state.withLock { s in
            for run in runs {
                for (i, cell) in run.cells.enumerated() where run.x + i < s.screen.width && run.y < s.screen.height {
                    s.screen[run.x + i, run.y] = cell
                }
            }
        }
    }

    package func flush() { state.withLock { $0.flushes += 1 } }
    package func invalidate() {}

    package func nextKey(timeoutMilliseconds: Int) -> Key? {
        if let key = state.withLock({ $0.keys.isEmpty ? nil : $0.keys.removeFirst() }) { return key }
        Thread.sleep(forTimeInterval: Double(min(timeoutMilliseconds, 5)) / 1000)
        return nil
    }

    package func shutdown() { state.withLock { $0.isShutDown = true } }
}
