import Foundation
import Testing
import TestSupport

/// Ctrl-C, `kill` and a dropped SSH session (SIGHUP) all leave the terminal as it was.
@Suite("gwops-demo in tmux: signals", .serialized, .enabled(if: TmuxPane.isAvailable, "tmux is not installed"))
struct DemoSignalTests {
    @Test("Ctrl-C, SIGTERM and SIGHUP restore the terminal", .timeLimit(.minutes(3)), arguments: ["C-c", "TERM", "HUP"])
    func signalRestoresTheTerminal(how: String) async throws {
        let data = TemporaryDirectory(prefix: "gwops-e2e")
        defer { data.remove() }
        let pane = try TmuxPane()
        defer { pane.kill() }
        try pane.start(try DemoInTmuxTests.demoCommand(["--data", data.path]), width: 100, height: 30)
        try await pane.waitFor(text: "REPLICAS 3", timeout: .seconds(60))
        if how == "C-c" {
            try pane.send("C-c")
        } else {
            // The pane's shell runs `env … gwops-demo`; the demo is its child.
            let shell = try pane.display("#{pane_pid}").trimmingCharacters(in: .whitespacesAndNewlines)
            let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
            let pid = try #require(children.split(separator: " ").first.flatMap { Int32($0) })
            #expect(kill(pid, how == "TERM" ? SIGTERM : SIGHUP) == 0)
        }
        try await DemoInTmuxTests.expectCleanExit(pane)
    }
}
