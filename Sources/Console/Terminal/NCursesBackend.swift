import CNCurses
import Foundation

/// Why the terminal could not be used.
package struct TerminalError: Error, CustomStringConvertible {
    package var description: String
}

/// The ncurses terminal: the only file that imports CNCurses.
///
/// Uses `newterm` (an unknown `TERM` is an error, not an exit), cbreak mode (Ctrl-C still sends
/// SIGINT, which the runner turns into a clean exit), keypad decoding, and color pairs allocated
/// on demand from the styles drawn.
final class NCursesBackend: TerminalBackend {
    private let screenPointer: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private var pairs: [PairKey: Int16] = [:]
    private var isShutDown = false
    let colorMode: ColorMode
    let unicode: Bool

    private struct PairKey: Hashable {
        var fg: Int16
        var bg: Int16
    }

    init(noColor: Bool) throws {
        gw_setlocale()
        let codeset = String(cString: gw_codeset())
        unicode = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            throw TerminalError(description: "the console needs a terminal (stdin and stdout must be a TTY)")
        }
        guard !term.isEmpty, let screen = gw_newterm() else {
            throw TerminalError(description: "cannot drive terminal type \"\(term)\" (set TERM, e.g. TERM=xterm-256color)")
        }
        screenPointer = screen
        set_term(screen)
        guard let win = gw_stdscr() else {
            endwin()
            throw TerminalError(description: "ncurses gave no screen window")
        }
        window = win
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        scrollok(window, false)
        var mode = ColorMode.none
        if !noColor, has_colors() {
            start_color()
            use_default_colors()
            mode = gw_colors() >= 256 ? .full : .ansi16
        }
        colorMode = mode
    }

    var size: (width: Int, height: Int) { (Int(gw_max_x(window)), Int(gw_max_y(window))) }

    func draw(_ runs: [CellRun]) {
        for run in runs {
            var i = 0
            while i < run.cells.count {
                // One write per stretch of equal style; a wide character's right half is "".
                let start = i
                let style = run.cells[i].style
                var text = ""
                while i < run.cells.count, run.cells[i].style == style {
                    text += run.cells[i].text
                    i += 1
                }
                apply(style)
                mvwaddstr(window, Int32(run.y), Int32(run.x + start), text)
            }
        }
    }

    private func apply(_ style: Style) {
        var attrs = gw_a_normal()
        if style.bold { attrs |= gw_a_bold() }
        if style.reverse { attrs |= gw_a_reverse() }
        if style.underline { attrs |= gw_a_underline() }
        if style.dim { attrs |= gw_a_dim() }
        let pair = colorMode == .none ? 0 : pairNumber(fg: colorIndex(style.fg), bg: colorIndex(style.bg))
        wattr_set(window, attr_t(UInt32(bitPattern: attrs)), pair, nil)
    }

    private func colorIndex(_ c: TermColor) -> Int16 {
        switch c {
        case .default: -1
        case .ansi(let i): Int16(i)
        case .indexed(let i): Int16(colorMode == .full ? i : 7)
        }
    }

    private func pairNumber(fg: Int16, bg: Int16) -> Int16 {
        if fg == -1 && bg == -1 { return 0 }
        let key = PairKey(fg: fg, bg: bg)
        if let n = pairs[key] { return n }
        let n = Int16(pairs.count + 1)
        guard Int32(n) < gw_color_pairs() else { return 0 }
        init_pair(n, fg, bg)
        pairs[key] = n
        return n
    }

    func flush() { wrefresh(window) }

    func invalidate() {
        wclear(window)
    }

    func nextKey(timeoutMilliseconds: Int) -> Key? {
        wtimeout(window, Int32(timeoutMilliseconds))
        var ch: wint_t = 0
        let result = wget_wch(window, &ch)
        if result == gw_err() { return nil }
        if result == KEY_CODE_YES { return Self.functionKey(Int32(ch)) }
        return Self.character(UInt32(ch))
    }

    private static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case gw_key_up(): .up
        case gw_key_down(): .down
        case gw_key_left(): .left
        case gw_key_right(): .right
        case gw_key_ppage(): .pageUp
        case gw_key_npage(): .pageDown
        case gw_key_home(): .home
        case gw_key_end(): .end
        case gw_key_enter(): .enter
        case gw_key_backspace(): .backspace
        case gw_key_btab(): .backTab
        case gw_key_dc(): .delete
        case gw_key_resize(): .resize
        default: nil
        }
    }

    private static func character(_ v: UInt32) -> Key? {
        switch v {
        case 27: return .escape
        case 13, 10: return .enter
        case 9: return .tab
        case 127, 8: return .backspace
        case 1...26: return .ctrl(Character(UnicodeScalar(v + 96)!))
        default:
            guard let scalar = UnicodeScalar(v) else { return nil }
            return .char(Character(scalar))
        }
    }

    func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        wattr_set(window, 0, 0, nil)
        curs_set(1)
        endwin()
        delscreen(screenPointer)
        fflush(nil)
    }
}
