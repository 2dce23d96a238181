import Foundation
import Testing
import TestSupport

/// The README's "Install on a gateway host", followed word for word on this machine: it creates
/// the gwops account and groups, alice and bob, installs under /usr/local and /etc and starts a
/// controller. So it runs only as root with GWOPS_SYSTEM_TESTS=1 (`.ci/run` sets it; CI runs in a
/// throwaway container).
@Suite(.enabled(if: SystemTests.enabled, "installs gwops on this machine: run as root with GWOPS_SYSTEM_TESTS=1"))
struct InstallTests {
    @Test(.timeLimit(.minutes(3)))
    func theReadmesInstallStepsWorkAsWritten() async throws {
        let checkout = try SystemTests.stagedCheckout()
        defer { checkout.remove() }
        SystemTests.stopInstalledController()
        defer { SystemTests.stopInstalledController() }
        // An earlier run (or a hand-made setup) may have given alice and bob other roles
        _ = try await SystemTests.bash("gpasswd -d bob gwops-ops; gpasswd -d alice gwops-view; true", in: checkout)

        // The README's block, as written, from the checkout
        let block = try SystemTests.readmeBlock(after: "## Install on a gateway host")
        #expect(block.contains("scripts/install") && block.contains("runuser -l bob -c 'gwops status'"))
        let (status, out, err) = try await SystemTests.bash("cd \(checkout.path) && \(block)", in: checkout)
        #expect(status == 0, "the README's install block failed:\n\(out)\n\(err)")
        #expect(out.components(separatedBy: "gateway gw-example").count == 3, "both users' `gwops status`:\n\(out)")

        // Neither account can read the key or the store: their status went through the socket
        for user in ["alice", "bob"] {
            let (key, _, _) = try await SystemTests.bash("runuser -u \(user) -- cat /etc/gwops/api-key", in: checkout)
            #expect(key != 0, "\(user) read the platform key")
            let (store, _, _) = try await SystemTests.bash("runuser -u \(user) -- test -r /var/lib/gwops/gateway.db", in: checkout)
            #expect(store != 0, "\(user) may read the store")
        }
        let (modes, listing, _) = try await SystemTests.bash(
            "stat -c '%n %a %U' /etc/gwops/api-key /var/lib/gwops /etc/gwops/config.toml /run/gwops/gw-example.sock", in: checkout)
        #expect(modes == 0)
        #expect(listing.contains("/etc/gwops/api-key 600 gwops") && listing.contains("/var/lib/gwops 750 gwops"), "\(listing)")
        #expect(listing.contains("/etc/gwops/config.toml 644 root") && listing.contains("gw-example.sock 666 gwops"), "\(listing)")
        // And the viewer is refused an action in words
        let (approve, _, refusal) = try await SystemTests.bash("runuser -l bob -c 'gwops orphans approve 1'", in: checkout)
        #expect(approve != 0 && refusal.contains("bob is a viewer and may not act; operators are members of gwops-ops"), "\(refusal)")
        #expect(FileManager.default.fileExists(atPath: "/etc/systemd/system/gwops-controller.service"))
    }
}

/// What the system tests share: the switch, a checkout to install from, the README's blocks.
enum SystemTests {
    static var enabled: Bool { getuid() == 0 && ProcessInfo.processInfo.environment["GWOPS_SYSTEM_TESTS"] == "1" }

    static var repository: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }

    /// A copy of what `scripts/install` reads, with this build's `gwops` as the release binary,
    /// in a directory every account may enter.
    static func stagedCheckout() throws -> TemporaryDirectory {
        let checkout = TemporaryDirectory(prefix: "gwops-checkout")
        chmod(checkout.path, 0o755)
        for item in ["scripts", "packaging", "themes"] {
            try FileManager.default.copyItem(
                atPath: repository.appendingPathComponent(item).path, toPath: checkout.file(item))
        }
        try FileManager.default.createDirectory(atPath: checkout.file(".build/release"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try GwopsBinary.path(), toPath: checkout.file(".build/release/gwops"))
        return checkout
    }

    /// The first ```bash block after `heading` in README.md.
    static func readmeBlock(after heading: String) throws -> String {
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        guard let section = readme.range(of: "\n\(heading)\n"),
            let open = readme.range(of: "```bash\n", range: section.upperBound..<readme.endIndex),
            let close = readme.range(of: "\n```", range: open.upperBound..<readme.endIndex)
        else { throw HarnessError.process("README.md has no bash block after \(heading)") }
        return String(readme[open.upperBound..<close.lowerBound])
    }

    /// Runs `script` with bash -euo pipefail; exit status, stdout, stderr.
    static func bash(_ script: String, in directory: TemporaryDirectory) async throws -> (Int32, String, String) {
        let out = directory.file("bash-\(UUID().uuidString.prefix(6)).out"), err = out + ".err"
        let status = try await OffPool.run {
            try ChildProcess.run(
                ["/bin/bash", "-euo", "pipefail", "-c", script], environment: ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                stdout: out, stderr: err)
        }
        return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Stops a controller an earlier run of these tests left (started in the background by the block).
    static func stopInstalledController() {
        _ = try? ChildProcess.run(["/usr/bin/pkill", "-TERM", "-u", "gwops", "-f", "gwops controller"], environment: [:], stdout: "/dev/null", stderr: "/dev/null")
        for _ in 0..<50 {
            let status = (try? ChildProcess.run(["/usr/bin/pgrep", "-u", "gwops", "-f", "gwops controller"], environment: [:], stdout: "/dev/null", stderr: "/dev/null")) ?? 1
            if status != 0 { return }
            usleep(100_000)
        }
    }
}
