import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A private tmux server (its own `-L` socket, no user config) holding one session `t` with one
/// pane, for driving a real program in a real terminal. `kill()` ends the server and everything
/// in it.
struct TmuxPane: Sendable {
    /// The `tmux` executable, or nil when tmux is not installed.
    static let executable: String? = {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let dirs = path + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        return dirs.map { ($0 as NSString).appendingPathComponent("tmux") }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isAvailable: Bool { executable != nil }

    /// `text` quoted for `sh`.
    static func shellQuote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    let tmux: String
    /// The `-L` socket name: unique, so parallel runs and a developer's own tmux never meet.
    let socket: String
    let target = "t"

    init() throws {
        guard let tmux = Self.executable else { throw EndToEndFailure("tmux is not installed") }
        self.tmux = tmux
        socket = "gwops-e2e-\(UUID().uuidString.lowercased())"
    }

    /// Starts the server with one detached session of `width`×`height` running `command` (via sh).
    func start(_ command: String, width: Int, height: Int) throws {
        // `-f /dev/null`: a developer's ~/.tmux.conf must not change the pane. The server is a
        // daemon: give it no pipes to inherit.
        try run(["-f", "/dev/null", "new-session", "-d", "-s", target, "-x", String(width), "-y", String(height), command], capture: false)
    }

    /// The pane's text, one string per row.
    func capture() throws -> TmuxScreen {
        var text = try run(["capture-pane", "-p", "-t", target])
        if text.hasSuffix("\n") { text.removeLast() }
        return TmuxScreen(lines: text.components(separatedBy: "\n"))
    }

    /// Sends tmux key names (`Tab`, `Enter`, `Escape`, `S`, …).
    func send(_ keys: String...) throws {
        try run(["send-keys", "-t", target] + keys)
    }

    /// Sends `text` literally, character by character.
    func type(_ text: String) throws {
        try run(["send-keys", "-t", target, "-l", text])
    }

    func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", target, "-x", String(width), "-y", String(height)])
    }

    /// A tmux format evaluated for the pane (e.g. `#{alternate_on}`).
    func display(_ format: String) throws -> String {
        try run(["display-message", "-p", "-t", target, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Ends the server and the programs in it, and removes its socket (tmux leaves it behind).
    /// Never throws: it runs from `defer`.
    func kill() {
        let asked = (try? display("#{socket_path}")).flatMap { $0.isEmpty ? nil : $0 }
        _ = try? run(["kill-server"])
        let dir = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let path = asked ?? "\(dir)/tmux-\(getuid())/\(socket)"
        if path.hasSuffix("/\(socket)") { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Polls the pane every 100 ms until `condition` holds; throws with the last screen at `timeout`.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(20), _ condition: (TmuxScreen) -> Bool) async throws -> TmuxScreen {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var screen = try capture()
        while !condition(screen) {
            guard clock.now < deadline else {
                Self.trace("TIMED OUT waiting for \(what)", screen)
                throw EndToEndFailure("timed out after \(timeout) waiting for \(what); the screen:\n\(screen)")
            }
            try await Task.sleep(for: .milliseconds(100))
            screen = try capture()
        }
        Self.trace("saw \(what)", screen)
        return screen
    }

    /// With `GWOPS_E2E_TRACE=FILE`, every screen a wait ends on is appended to FILE (for debugging;
    /// the tests print nothing).
    static func trace(_ label: String, _ screen: TmuxScreen) {
        guard let path = ProcessInfo.processInfo.environment["GWOPS_E2E_TRACE"], !path.isEmpty else { return }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data("=== \(label)\n\(screen)\n".utf8))
    }

    /// Waits until `text` is on the screen.
    @discardableResult
    func waitFor(text: String, timeout: Duration = .seconds(20)) async throws -> TmuxScreen {
        try await waitFor("\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    /// Watches the pane for `duration` and throws if `condition` ever holds.
    func expectNever(_ what: String, for duration: Duration, _ condition: (TmuxScreen) -> Bool) async throws {
        let clock = ContinuousClock()
        let end = clock.now + duration
        repeat {
            let screen = try capture()
            if condition(screen) { throw EndToEndFailure("unexpected: \(what); the screen:\n\(screen)") }
            try await Task.sleep(for: .milliseconds(100))
        } while clock.now < end
    }

    /// Runs `tmux -L socket args…` and returns its stdout. Not `Foundation.Process`: the server
    /// `new-session` starts is a daemon that would inherit Process's exit-watching descriptor (so
    /// `waitUntilExit()` never returns) and the test thread's blocked signal mask (so
    /// `kill-server`'s SIGTERM and the panes' SIGHUP are never delivered).
    @discardableResult
    private func run(_ args: [String], capture: Bool = true) throws -> String {
        let scratch = NSTemporaryDirectory() as NSString
        let outPath = scratch.appendingPathComponent("\(socket)-\(UUID().uuidString.prefix(8)).out")
        let errPath = outPath.replacingOccurrences(of: ".out", with: ".err")
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        var env = ProcessInfo.processInfo.environment
        env["TMUX"] = nil
        env["TMUX_PANE"] = nil
        let status = try ChildProcess.run(
            [tmux, "-L", socket] + args, environment: env,
            stdout: capture ? outPath : "/dev/null", stderr: capture ? errPath : "/dev/null")
        let stdout = capture ? (FileManager.default.contents(atPath: outPath) ?? Data()) : Data()
        guard status == 0 else {
            let stderr = capture ? (FileManager.default.contents(atPath: errPath) ?? Data()) : Data()
            let why = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw EndToEndFailure("tmux \(args.joined(separator: " ")) failed (\(status)): \(why)")
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}

/// One capture of the pane.
struct TmuxScreen: CustomStringConvertible, Sendable {
    var lines: [String]

    func contains(_ text: String) -> Bool { lines.contains { $0.contains(text) } }

    func line(_ i: Int) -> String { lines.indices.contains(i) ? lines[i] : "" }

    var description: String {
        let width = String(lines.count).count
        return lines.enumerated().map { "\(String($0.offset + 1).leftPadded(to: width))|\($0.element)" }.joined(separator: "\n")
    }

    /// Terminal columns `text` takes: wide East Asian and emoji-presentation characters take two,
    /// combining marks none. An approximation of wcwidth(3) good for what the console draws.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { sum, u in
            let p = u.properties
            if p.generalCategory == .nonspacingMark || p.generalCategory == .enclosingMark || u.value == 0x200D || (0xFE00...0xFE0F).contains(u.value) {
                return sum
            }
            if p.isEmojiPresentation || wideRanges.contains(where: { $0.contains(u.value) }) { return sum + 2 }
            return sum + 1
        }
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
    ]
}

/// A failed step of an end-to-end test, with what the terminal showed.
struct EndToEndFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
