import Foundation
import Testing
import TestSupport

extension GatewayHostTests {
    /// The README's install section word for word, with the Debian package `scripts/package`
    /// builds from this build's gwops, where Swift is absent (a mount namespace with the
    /// toolchain's directory empty): `apt install`, the key, the controller as gwops, an operator
    /// and a viewer through the socket, the console in tmux as the operator, the unit checked by
    /// `systemd-analyze verify`, the metrics by `promtool`; then `dpkg -r` keeps the store, the
    /// configuration and the key, and `dpkg -P` removes them.
    @Test(.timeLimit(.minutes(6)))
    func theReadmesInstallStepsWorkAsWrittenWhereSwiftIsAbsent() async throws {
        let work = try Packaging.cleanHost()
        defer { work.remove() }
        let deb = try await Packaging.build(in: work)
        // The README's build step is the one command that made it
        let build = try SystemTests.readmeBlock(after: "## Install on a gateway host")
        #expect(build.contains("scripts/package"), "the README's build block: \(build)")
        try await Packaging.lintianReportsNoErrorAndArguesEachWarning(deb, in: work)

        let noSwift = try await SwiftlessNamespace(in: work)
        defer { noSwift.remove() }
        let (which, swiftless, _) = try await noSwift.run("command -v swift || ls -A \(noSwift.toolchain) | wc -l", in: work)
        #expect(which == 0 && swiftless.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "the toolchain is visible: \(swiftless)")

        // The host block, as written, from the directory the package was copied to
        let block = try SystemTests.readmeBlock(after: "### On the gateway host")
        #expect(block.contains("apt install ./gwops_") && block.contains("runuser -l bob -c 'gwops status'"))
        let (status, out, err) = try await noSwift.run("cd \(work.path) && \(block)", in: work)
        defer { SystemTests.stopInstalledController() }
        #expect(status == 0, "the README's install block failed:\n\(out)\n\(err)")
        #expect(out.components(separatedBy: "gateway gw-example").count == 3, "both users' `gwops status`:\n\(out)")
        #expect(out.contains("gwops-controller") && out.contains("systemd is not running here"), "what the postinst said:\n\(out)")
        // Enabled for when systemd runs: the link deb-systemd-helper makes
        let wants = "/etc/systemd/system/multi-user.target.wants/gwops-controller.service"
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: wants))?.hasSuffix("/systemd/system/gwops-controller.service") == true)
        // The viewer is refused an action in words; neither account reads the key or the store
        let (approve, _, refusal) = try await noSwift.run("runuser -l bob -c 'gwops orphans approve 1'", in: work)
        #expect(approve != 0 && refusal.contains("bob is a viewer and may not act; operators are members of gwops-ops"), "\(refusal)")
        for user in ["alice", "bob"] {
            let (key, _, _) = try await SystemTests.bash("runuser -u \(user) -- cat /etc/gwops/api-key", in: work)
            let (store, _, _) = try await SystemTests.bash("runuser -u \(user) -- test -r /var/lib/gwops/gateway.db", in: work)
            #expect(key != 0 && store != 0, "\(user) may read the key or the store")
        }

        // Only Debian's libraries, and the version with its commit
        let (_, ldd, _) = try await noSwift.run("ldd /usr/bin/gwops; gwops --version", in: work)
        #expect(!ldd.contains("not found") && !ldd.contains(noSwift.toolchain) && !ldd.contains("libswift"), "\(ldd)")
        #expect(ldd.contains("gwops 0.9.0 (commit "), "\(ldd)")

        // The files as the package put them
        let (modes, listing, _) = try await SystemTests.bash(
            "stat -c '%n %a %U:%G' /etc/gwops /etc/gwops/config.toml /etc/gwops/api-key /var/lib/gwops /run/gwops/gw-example.sock", in: work)
        #expect(modes == 0)
        for expected in [
            "/etc/gwops 755 root:gwops", "/etc/gwops/config.toml 644 root:gwops", "/etc/gwops/api-key 600 gwops:gwops",
            "/var/lib/gwops 750 gwops:gwops", "gw-example.sock 666 gwops",
        ] { #expect(listing.contains(expected), "\(expected) in\n\(listing)") }
        let (verify, _, verifyErr) = try await SystemTests.bash("systemd-analyze verify /usr/lib/systemd/system/gwops-controller.service", in: work)
        #expect(verify == 0 && !verifyErr.contains("gwops-controller"), "systemd-analyze verify: \(verifyErr)")
        let (man, manPage, _) = try await SystemTests.bash("MANWIDTH=100 man --no-hyphenation gwops 2>/dev/null | col -b", in: work)
        for subcommand in ["console", "sync", "status", "orphans", "controller", "--config", "--replica-id", "--version"] {
            #expect(man == 0 && manPage.contains(subcommand), "gwops(1) has no \(subcommand)")
        }
        let (completion, _, completionErr) = try await SystemTests.bash(
            "bash -c 'source /usr/share/bash-completion/completions/gwops && complete -p gwops' && test -s /usr/share/zsh/vendor-completions/_gwops "
                + "&& test -s /usr/share/fish/vendor_completions.d/gwops.fish", in: work)
        #expect(completion == 0, "completion: \(completionErr)")

        // alice, an operator, in the console where Swift is absent
        let alice = try TmuxPane()
        defer { alice.kill() }
        try alice.start(noSwift.command("runuser -l alice -c 'LANG=C.UTF-8 gwops console'"), width: 120, height: 40)
        try await alice.waitFor("alice's console: OPERATOR on gw-example through the socket", timeout: .seconds(30)) { s in
            s.line(0).contains("gw-example") && s.line(0).contains(" OPERATOR ") && s.line(0).contains("alice")
        }
        try alice.send("q")

        // The controller's metrics, as Prometheus's own checker reads them
        let port = try PostgresServer.freePort()
        SystemTests.stopInstalledController()
        let (metrics, exposition, metricsErr) = try await noSwift.run(
            """
            printf '\\n[metrics]\\nlisten = "127.0.0.1:\(port)"\\n' >> /etc/gwops/config.toml
            runuser -u gwops -- gwops controller --config /etc/gwops/config.toml --replica-id "$(hostname)" >>/var/log/gwops-controller.log 2>&1 &
            timeout 30 sh -c 'until curl -sf http://127.0.0.1:\(port)/metrics >/dev/null; do sleep 0.5; done'
            curl -sf http://127.0.0.1:\(port)/metrics > metrics.txt
            cat metrics.txt | promtool check metrics
            """, in: work)
        #expect(metrics == 0 && exposition.isEmpty && metricsErr.isEmpty, "promtool check metrics:\n\(exposition)\n\(metricsErr)")
        let scraped = (try? String(contentsOfFile: work.file("metrics.txt"), encoding: .utf8)) ?? ""
        #expect(scraped.contains("gwops_control_connections"), "the scrape: \(scraped.prefix(300))")

        // Removed: the store, the configuration (with the edit) and the key stay
        let (removed, removeOut, removeErr) = try await noSwift.run("dpkg -r gwops", in: work)
        #expect(removed == 0, "dpkg -r: \(removeOut)\n\(removeErr)")
        #expect(removeErr.contains("stop the controller you started by hand"), "prerm's hint: \(removeErr)")
        SystemTests.stopInstalledController()
        let (_, left, _) = try await SystemTests.bash(
            "ls /usr/bin/gwops /usr/lib/systemd/system/gwops-controller.service 2>&1 || true; cat /etc/gwops/api-key; grep -c metrics /etc/gwops/config.toml; "
                + "ls /var/lib/gwops; dpkg-query -W -f '${db:Status-Abbrev}\\n' gwops", in: work)
        #expect(left.contains("/usr/bin/gwops': No such file") && left.contains("gwops-controller.service': No such file"), "\(left)")
        #expect(left.contains("example-key") && left.contains("gateway.db") && left.contains("rc "), "after dpkg -r:\n\(left)")
        // Purged: the store and /etc/gwops go; the account and groups stay
        let (purged, purgeOut, purgeErr) = try await noSwift.run("dpkg -P gwops", in: work)
        #expect(purged == 0, "dpkg -P: \(purgeOut)\n\(purgeErr)")
        let (_, gone, _) = try await SystemTests.bash(
            "ls -d /etc/gwops /var/lib/gwops 2>&1 || true; getent passwd gwops | cut -d: -f1; getent group gwops-ops | cut -d: -f1; "
                + "dpkg-query -W gwops 2>&1 || true", in: work)
        #expect(gone.contains("/etc/gwops': No such file") && gone.contains("/var/lib/gwops': No such file"), "after dpkg -P:\n\(gone)")
        #expect(gone.contains("gwops\n") && gone.contains("gwops-ops") && gone.contains("no packages found matching gwops"), "\(gone)")
    }

    /// An older package, a store its gwops left (schema step 001_core), a configuration edited by
    /// the operator and the key; then the current package over it: the edits, the key and the
    /// store stay, the postinst says how the hand-started controller restarts, and the controller
    /// migrates the store forward, keeping its artifacts, API keys and subscriptions. (This is the
    /// first package: the older one is this build under an older version, and its hand-started
    /// controller a process of the gwops account by that name, since this build's would migrate
    /// the store before the upgrade.)
    @Test(.timeLimit(.minutes(4)))
    func anUpgradeKeepsTheStoreTheConfigurationAndTheKeyAndMigratesTheStore() async throws {
        let work = try Packaging.cleanHost()
        defer { work.remove() }
        let older = try await Packaging.build(in: work, version: "0.8.0")
        let current = try await Packaging.build(in: work)
        // A store as gwops left it at schema step 001_core (the step's SQL as it shipped): gateway
        // gw-example, three artifacts, two API keys and a subscription, which the upgrade must keep
        let fixture = work.file("store-001_core.sql")
        try (SchemaAsShipped.SQLite.v001 + """

            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('001_core');
            INSERT INTO artifacts VALUES('0b3c7e4a-1d2f-4c5e-9a8b-000000000001','orders-api','Orders API','v1.0','RestApi','deployed','dep-1',1796000000000,'control_plane','kind: RestApi','e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',1796000000000);
            INSERT INTO artifacts VALUES('0b3c7e4a-1d2f-4c5e-9a8b-000000000002','chat-llm','Chat LLM','v2.1','LlmProvider','deployed','dep-2',1796000000000,'control_plane','kind: LlmProvider','e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',1796000000000);
            INSERT INTO artifacts VALUES('0b3c7e4a-1d2f-4c5e-9a8b-000000000003','tools-mcp','Tools MCP','v0.3','Mcp','undeployed',NULL,NULL,'gateway_api','kind: Mcp','e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',1796000000000);
            INSERT INTO api_keys VALUES('key-1','0b3c7e4a-1d2f-4c5e-9a8b-000000000001','mobile',1796000000000);
            INSERT INTO api_keys VALUES('key-2','0b3c7e4a-1d2f-4c5e-9a8b-000000000001','web',1796000000000);
            INSERT INTO subscriptions VALUES('sub-1','0b3c7e4a-1d2f-4c5e-9a8b-000000000001','app-7',1796000000000);
            INSERT INTO gateway_states VALUES('gw-example',0,'',1796000000000);
            """).write(toFile: fixture, atomically: true, encoding: .utf8)
        let (installed, _, installErr) = try await SystemTests.bash(
            """
            cd \(work.path)
            apt-get install -y -q \(older) >/dev/null
            printf '%s\\n' upgrade-key > /etc/gwops/api-key && chown gwops:gwops /etc/gwops/api-key && chmod 0600 /etc/gwops/api-key
            sed -i -e 's/gw-CHANGE-ME/gw-example/' -e 's|https://platform.example|http://127.0.0.1:9|' /etc/gwops/config.toml
            printf '# edited by the operator\\n' >> /etc/gwops/config.toml
            runuser -u gwops -- sqlite3 /var/lib/gwops/gateway.db < \(fixture)
            runuser -u gwops -- bash -c 'exec -a "gwops controller (0.8.0)" sleep 120' &
            sleep 0.5
            sha256sum /etc/gwops/config.toml > config.sha256
            """, in: work)
        defer { SystemTests.stopInstalledController() }
        #expect(installed == 0, "installing 0.8.0: \(installErr)")
        let (_, before, _) = try await SystemTests.bash("sqlite3 /var/lib/gwops/gateway.db 'SELECT identifier FROM grdb_migrations ORDER BY 1'", in: work)

        let (upgraded, upgradeOut, upgradeErr) = try await SystemTests.bash("cd \(work.path) && apt-get install -y -q \(current)", in: work)
        #expect(upgraded == 0, "the upgrade: \(upgradeOut)\n\(upgradeErr)")
        #expect(upgradeOut.contains("the controller you started by hand still runs gwops 0.8.0"), "the postinst's word on the controller:\n\(upgradeOut)")
        let (kept, keptOut, keptErr) = try await SystemTests.bash(
            "cd \(work.path) && sha256sum -c config.sha256 && ls /etc/gwops && stat -c '%a %U' /etc/gwops/api-key && cat /etc/gwops/api-key "
                + "&& dpkg-query -W -f '${Version}\\n' gwops", in: work)
        #expect(kept == 0 && keptOut.contains("600 gwops") && keptOut.contains("upgrade-key") && keptOut.contains("0.9.0"), "\(keptOut)\n\(keptErr)")
        #expect(!keptOut.contains("dpkg-dist") && !keptOut.contains("dpkg-new"), "a conffile left beside the edited one: \(keptOut)")

        // Restarted as the postinst says, the controller migrates the store and keeps what it held
        SystemTests.stopInstalledController()
        let (_, after, afterErr) = try await SystemTests.bash(
            """
            runuser -u gwops -- gwops controller --config /etc/gwops/config.toml --replica-id "$(hostname)" >>/var/log/gwops-controller.log 2>&1 &
            timeout 30 sh -c 'until [ -S /run/gwops/gw-example.sock ]; do sleep 0.5; done'
            sqlite3 /var/lib/gwops/gateway.db 'SELECT identifier FROM grdb_migrations ORDER BY 1' \
              'SELECT count(*) FROM artifacts' 'SELECT group_concat(id) FROM api_keys' 'SELECT id FROM subscriptions'
            """, in: work)
        #expect(before.contains("001_core") && !before.contains("002_credentials"), "the store before the upgrade: \(before)")
        #expect(after.contains("001_core\n002_credentials\n003_audit_peer\n3\n") && after.contains("key-1") && after.contains("sub-1"), "\(after)\n\(afterErr)")
        _ = try await SystemTests.bash("pkill -u gwops -f 'gwops controller'; sleep 1; dpkg -P gwops", in: work)
    }

    /// `scripts/install` puts the package's files in the same places (hosts without dpkg).
    @Test func scriptsInstallPutsThePackagesFilesInTheSamePlaces() async throws {
        let work = TemporaryDirectory(prefix: "gwops-same-files")
        defer { work.remove() }
        let deb = try await Packaging.build(in: work)
        let checkout = try SystemTests.stagedCheckout()
        defer { checkout.remove() }
        let (status, listing, err) = try await SystemTests.bash(
            """
            cd \(work.path)
            \(checkout.path)/scripts/install --root staged >/dev/null
            (cd staged && find . -type f | sort) > installed.txt
            dpkg-deb -c \(deb) | awk '$1 !~ /^d/ {print $6}' | grep -v -e /usr/share/man/ -e /usr/share/doc/ -e completion -e lintian | sort > packaged.txt
            diff packaged.txt installed.txt && wc -l < installed.txt
            """, in: work)
        #expect(status == 0 && (Int(listing.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 9, "\(listing)\n\(err)")
    }
}

extension GatewayHostTests {
    /// The package under a real systemd: a box (PID and mount namespaces, an overlay of this
    /// machine's root, the toolchain's directory empty, systemd 252 as its PID 1, no Docker
    /// policy-rc.d) in which the hardened unit runs. Installed without the key: enabled, not
    /// started, and the package says what to do; the key written and the unit started as the
    /// README says, the controller serves its socket; the upgrade restarts it (a new main PID),
    /// keeping the configuration and the key; removal stops it; purge leaves no trace; installed
    /// again with a key already there, it starts.
    @Test(.timeLimit(.minutes(5)))
    func underSystemdThePackageStartsRestartsAndStopsTheController() async throws {
        let work = try Packaging.cleanHost()
        defer { work.remove() }
        let older = try await Packaging.build(in: work, version: "0.8.0")
        let current = try await Packaging.build(in: work)
        let box = try await SystemdBox(in: work)
        defer { box.remove() }
        try box.copyIn(work.file(older), work.file(current))
        let unit = "gwops-controller"

        let (first, firstOut, firstErr) = try await box.run(
            "cd /root && dpkg -i \(older) && systemctl is-enabled \(unit) && ! systemctl is-active \(unit)")
        #expect(first == 0, "installed without the key: \(firstOut)\n\(firstErr)")
        #expect(firstOut.contains("\(unit).service is enabled but not started: it needs the platform key"), "\(firstOut)")

        let (started, startedOut, startedErr) = try await box.run(
            """
            printf '%s\\n' box-key > /etc/gwops/api-key && chown gwops:gwops /etc/gwops/api-key && chmod 0600 /etc/gwops/api-key
            sed -i -e 's/gw-CHANGE-ME/gw-box/' -e 's|https://platform.example|http://127.0.0.1:9|' /etc/gwops/config.toml
            systemctl restart \(unit)
            timeout 30 sh -c 'until [ -S /run/gwops/gw-box.sock ]; do sleep 0.5; done'
            runuser -u nobody -- gwops status --config /etc/gwops/config.toml || true
            systemctl show -p MainPID --value \(unit)
            """)
        #expect(started == 0, "the controller under systemd: \(startedOut)\n\(startedErr)")
        let before = startedOut.split(separator: "\n").last.map(String.init) ?? ""
        #expect(startedErr.contains("nobody") || startedOut.contains("gateway gw-box"), "the socket answered nobody: \(startedOut)\n\(startedErr)")

        let (upgraded, upgradeOut, upgradeErr) = try await box.run(
            """
            cd /root && dpkg -i \(current)
            timeout 30 sh -c 'until [ -S /run/gwops/gw-box.sock ]; do sleep 0.5; done'
            systemctl is-active \(unit)
            grep -c gw-box /etc/gwops/config.toml && cat /etc/gwops/api-key
            systemctl show -p MainPID --value \(unit)
            """)
        let after = upgradeOut.split(separator: "\n").last.map(String.init) ?? ""
        #expect(upgraded == 0 && upgradeOut.contains("box-key"), "the upgrade: \(upgradeOut)\n\(upgradeErr)")
        #expect(Int(before) ?? 0 > 0 && Int(after) ?? 0 > 0 && before != after, "not restarted: main PID \(before) before, \(after) after")

        let (removed, removeOut, removeErr) = try await box.run(
            "dpkg -r gwops && ! systemctl is-active \(unit) && ls /var/lib/gwops /etc/gwops && ! pgrep -u gwops")
        #expect(removed == 0 && removeOut.contains("gateway.db") && removeOut.contains("api-key"), "dpkg -r: \(removeOut)\n\(removeErr)")
        let (purged, purgeOut, purgeErr) = try await box.run(
            "dpkg -P gwops && ! ls -d /etc/gwops /var/lib/gwops 2>/dev/null && ! find /etc/systemd -name '*gwops-controller*' | grep .")
        #expect(purged == 0, "dpkg -P left: \(purgeOut)\n\(purgeErr)")

        // A key already in place: the first installation starts the controller
        let (again, againOut, againErr) = try await box.run(
            """
            install -d /etc/gwops && printf '%s\\n' box-key > /etc/gwops/api-key
            cd /root && dpkg -i \(current)
            systemctl show -p ExecMainStartTimestampMonotonic --value \(unit)
            """)
        let startedAt = againOut.split(separator: "\n").last.map(String.init) ?? ""
        #expect(again == 0 && (Int(startedAt) ?? 0) > 0, "installed with a key, not started: \(againOut)\n\(againErr)")
    }
}
