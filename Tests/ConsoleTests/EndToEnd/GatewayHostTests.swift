import Core
import Foundation
import Testing
import TestSupport

/// gwops installed on this machine as on a gateway host: the README's install steps followed word
/// for word with the Debian package (PackageTests), then operators over a real SSH server. They create the gwops account and groups,
/// alice and bob, install under /usr and /etc and start controllers, so they run only as
/// root with GWOPS_SYSTEM_TESTS=1 (`.ci/run` sets it; CI runs in a throwaway container), one at
/// a time.
@Suite(.serialized, .enabled(if: SystemTests.enabled, "installs gwops on this machine: run as root with GWOPS_SYSTEM_TESTS=1"))
struct GatewayHostTests {}

extension GatewayHostTests {
    /// A viewer and an operator SSH in as themselves and run the console against a controller
    /// running as the service account: the viewer watches live and is refused an approval in
    /// words, the operator approves an orphan and resyncs; the audit log names the operator from
    /// the socket's credentials with the SSH client's address; neither can read the key or the store.
    /// The same on SQLite and on PostgreSQL.
    @Test(.serialized, .timeLimit(.minutes(4)), arguments: E2EBackend.allCases)
    func operatorsOverSSHWatchAndActThroughTheController(backend: E2EBackend) async throws {
        let checkout = try SystemTests.stagedCheckout()
        defer { checkout.remove() }
        try await SystemTests.installWithOperators(from: checkout)
        let e2e = try await E2EGateway(backend)
        defer { e2e.remove() }
        try await SimulatorHarness.with(deployments: 40, seed: 9) { sim in
            // The gateway synced once by its service account; then the platform deletes an artifact
            try e2e.writeConfig(platformURL: sim.baseURL)
            let (synced, syncLog) = try await e2e.syncAsService(in: checkout)
            #expect(synced == 0, "\(syncLog)")
            let gone = try #require(await sim.platform.all().first { $0.deployment?.state == .deployed }?.id)
            _ = await sim.platform.deleteArtifact(gone)
            // The controller, as the service account (its startup sync finds the orphan)
            let controller = try e2e.startController(in: checkout)
            defer { e2e.stop(controller) }
            try await e2e.waitForPendingDeletion(in: checkout)

            let ssh = try await SSHServer.start(users: ["alice", "bob"])
            defer { ssh.stop() }

            // alice, an operator: approves the orphan and resyncs from the console
            let alice = try TmuxPane()
            defer { alice.kill() }
            try alice.start(ssh.command("alice", "LANG=C.UTF-8 gwops console --config \(E2EGateway.config)"), width: 120, height: 40)
            try await alice.waitFor("alice's console: OPERATOR on gw-e2e through the socket", timeout: .seconds(30)) { s in
                s.line(0).contains("gw-e2e") && s.line(0).contains(" OPERATOR ") && s.line(0).contains("gw-e2e.sock") && s.line(0).contains("alice")
            }
            try alice.send("3")
            let name = try await DemoInTmuxTests.approveOnePendingDeletion(in: alice)
            try await alice.waitFor("the flash `deleted 1` after approving \(name)") { DemoInTmuxTests.flash(in: $0)?.contains("deleted 1") == true }
            try alice.send("S")
            try await alice.waitFor("the sync plan, ready", timeout: .seconds(30)) { $0.contains("Resync: plan") && $0.contains("listed by the platform") }
            try alice.send("y")
            try await alice.waitFor("the resync run by the controller, finished", timeout: .seconds(30)) { s in
                let flash = DemoInTmuxTests.flash(in: s) ?? ""
                return flash.contains("sync #") && flash.contains("succeeded")
            }

            // bob, a viewer: sees the dashboard follow the platform, and is refused an approval in words
            let bob = try TmuxPane()
            defer { bob.kill() }
            try bob.start(ssh.command("bob", "LANG=C.UTF-8 gwops console --config \(E2EGateway.config)"), width: 120, height: 40)
            let first = try await bob.waitFor("bob's console: VIEWER on gw-e2e", timeout: .seconds(30)) { s in
                s.line(0).contains("gw-e2e") && s.line(0).contains(" VIEWER ") && s.line(1).contains("ARTIFACTS")
            }
            let churn = Task { await sim.simulator.churn(perSecond: 5, seed: 9) }
            try await bob.waitFor("bob's dashboard to follow the platform's changes", timeout: .seconds(30)) { $0.line(1) != first.line(1) }
            churn.cancel()
            _ = await churn.value
            #expect(!DemoInTmuxTests.hintBar(in: try bob.capture()).contains("resync"), "a viewer sees no action hint")
            try bob.send("3")
            try await bob.waitFor("the orphans view") { DemoInTmuxTests.viewTitle($0) == "orphans" }
            try bob.send("A")
            try await bob.waitFor("the refusal in words") { s in
                (DemoInTmuxTests.flash(in: s) ?? "").contains("bob is a viewer and may not act; operators are members of gwops-ops")
            }

            // The audit log names alice from the socket's credentials, with the SSH client address
            let store = try await e2e.openStore()
            defer { (store as? PostgresStore)?.close() }
            let audit = try await store.auditEntries(limit: 50)
            let approval = try #require(audit.first { $0.action == "review.approve" && $0.outcome == "deleted" })
            let aliceUID = try GwopsBinary.account("alice").0
            #expect(approval.actor.user == "alice" && approval.actor.clientAddress == "127.0.0.1", "\(approval.actor)")
            #expect(approval.actor.peer?.hasPrefix("uid \(aliceUID), pid ") == true && approval.actor.peer?.hasSuffix("control socket") == true)
            let resync = try #require(try await store.syncRuns(limit: 5).first { $0.trigger == .console })
            #expect(resync.requestedBy == "alice@127.0.0.1" && resync.outcome == .succeeded)

            // Neither account can read the key or open the store (on PostgreSQL: neither knows the
            // service's password, and the cluster admits no role of theirs)
            for user in ["alice", "bob"] {
                let (key, _, _) = try await ssh.run(user, "cat /etc/gwops/e2e-key")
                #expect(key != 0, "\(user) read the platform key")
                let (direct, _, directErr) = try await ssh.run(user, "gwops orphans list --direct --config \(E2EGateway.config)")
                // and is told why in words
                let why = backend == .sqlite ? "permission denied entering directory /var/lib/gwops (owner gwops, mode 0750; running as \(user))"
                    : "the server asks gwops for a password and none is set: set PGPASSWORD"
                #expect(direct != 0 && directErr.contains(why), "\(user) opened the store directly, or was not told why: \(directErr)")
                if backend == .sqlite {
                    let (open, _, _) = try await ssh.run(user, "test -w \(E2EGateway.store) || test -r \(E2EGateway.store)")
                    #expect(open != 0, "\(user) can open the store file")
                }
            }
        }
    }
}

/// What the system tests share: the switch, a checkout to install from, the README's blocks.
enum SystemTests {
    static var enabled: Bool { getuid() == 0 && ProcessInfo.processInfo.environment["GWOPS_SYSTEM_TESTS"] == "1" }

    static var repository: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Tests/ConsoleTests/EndToEnd/this file
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

    /// `scripts/install --no-start` from `checkout`, with alice an operator (gwops-ops) and bob a
    /// viewer (gwops-view).
    static func installWithOperators(from checkout: TemporaryDirectory) async throws {
        let (installed, _, installErr) = try await bash(
            "cd \(checkout.path) && { dpkg -P gwops >/dev/null 2>&1 || true; } && scripts/install --no-start && (id alice || useradd --create-home alice) && (id bob || useradd --create-home bob) "
                + "&& usermod -aG gwops-ops alice && usermod -aG gwops-view bob && { gpasswd -d bob gwops-ops || true; gpasswd -d alice gwops-view || true; }",
            in: checkout)
        guard installed == 0 else { throw EndToEndFailure("the install failed: \(installErr)") }
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
