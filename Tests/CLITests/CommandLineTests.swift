import Foundation
import Testing
import TestSupport
@testable import Core

/// The `gwops` executable as an operator meets it: exit codes and messages.
struct CommandLineTests {
    /// `gwops --version`: the release, which the package's changelog names, and the commit this
    /// checkout is at (the BuildCommit plugin writes it at each build).
    @Test func versionNamesTheReleaseAndTheCommitItWasBuiltFrom() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (code, out, _) = try await GwopsBinary.run(["--version"], in: dir)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let changelog = try String(contentsOf: repository.appendingPathComponent("packaging/debian/changelog"), encoding: .utf8)
        let release = try #require(changelog.split(separator: "\n").first?.split(separator: "(").dropFirst().first?.split(separator: ")").first)
        #expect(code == 0 && out.hasPrefix("gwops \(release) (commit "), "\(out)")
        let git = try ChildProcess.run(
            ["/usr/bin/git", "-C", repository.path, "rev-parse", "--short=12", "HEAD"], environment: [:], stdout: dir.file("head"), stderr: "/dev/null")
        let head = (try? String(contentsOfFile: dir.file("head"), encoding: .utf8)) ?? ""
        if git == 0 {  // a checkout (a source tarball has no commit to compare)
            #expect(out.contains("(commit \(head.trimmingCharacters(in: .whitespacesAndNewlines))"), "\(out) at \(head)")
        }
    }

    @Test func badConfigurationExitsTwoNamingFileAndKey() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("bad.toml")
        _ = FileManager.default.createFile(
            atPath: path, contents: Data("[gateway]\nid = \"g\"\n[platform]\nurl = \"http://x\"\n[controller.sync]\nbatch_size = 0\n".utf8))
        let (code, _, err) = try await GwopsBinary.run(["status", "--config", path], in: dir)
        #expect(code == 2)
        #expect(err.contains(path) && err.contains("controller.sync.batch_size"))
    }

    @Test func missingConfigurationFileExitsTwo() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (code, _, err) = try await GwopsBinary.run(["sync", "--config", dir.file("nope.toml")], in: dir)
        #expect(code == 2)
        #expect(err.contains("nope.toml"))
    }

    @Test func unknownSubcommandExitsTwo() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (code, _, err) = try await GwopsBinary.run(["frobnicate"], in: dir)
        #expect(code == 2)
        #expect(!err.isEmpty)
    }

    @Test func statusWithoutAStoreExitsOneAndSaysWhatToDo() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = GwopsBinary.writeConfig(in: dir, gatewayId: "g", platformURL: "http://127.0.0.1:9", storePath: dir.file("none.db"))
        let (code, _, err) = try await GwopsBinary.run(["status", "--config", config], in: dir)
        #expect(code == 1)
        #expect(err.contains("none.db") && err.contains("gwops sync"))
    }

    @Test func unreachablePlatformFailsTheSyncWithoutChanges() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = GwopsBinary.writeConfig(in: dir, gatewayId: "g", platformURL: "http://127.0.0.1:9", storePath: dir.file("g.db"))
        let (code, _, err) = try await GwopsBinary.run(["sync", "--config", config], environment: ["GWOPS_TEST_API_KEY": "k"], in: dir)
        #expect(code == 1)
        #expect(err.contains("unreachable") || err.contains("refused"))
        #expect(!err.contains("GWOPS_TEST_API_KEY=k"))
    }

    @Test func bulkApprovalNeedsTheExpectedCount() async throws {
        let f = try await StoreFixture.make(.sqlite)
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a"), Fixtures.artifact("b")])
        for id in ["a", "b"] {
            _ = try await f.store.recordOrphan(Fixtures.summary(id), verdict: .deletedOnPlatform, reason: nil, runId: nil, decide: ReviewRules.action)
        }
        let config = GwopsBinary.writeConfig(in: f.directory, gatewayId: StoreFixture.gatewayId, platformURL: "http://127.0.0.1:9", storePath: f.sqlitePath)
        let (refused, _, why) = try await GwopsBinary.run(["orphans", "approve", "--all", "--config", config], in: f.directory)
        #expect(refused == 2 && why.contains("--expect-count 2"))
        let (wrong, _, _) = try await GwopsBinary.run(["orphans", "approve", "--all", "--expect-count", "3", "--config", config], in: f.directory)
        #expect(wrong == 2)
        #expect(try await f.store.artifactCounts().total == 2)
        let (ok, out, _) = try await GwopsBinary.run(
            ["orphans", "approve", "--all", "--expect-count", "2", "--config", config], environment: ["USER": "carol", "SSH_CONNECTION": "192.0.2.4 5555 10.0.0.1 22"],
            in: f.directory)
        #expect(ok == 0 && out.contains("deleted"))
        #expect(try await f.store.artifactCounts().total == 0)
        let audit = try await f.store.auditEntries(limit: 5)
        #expect(audit.count == 2 && audit.allSatisfy { $0.actor == Principal(user: "carol", clientAddress: "192.0.2.4") })
    }
}

extension CommandLineTests {
    @Test func badThemeExitsTwoNamingTheFile() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let theme = dir.file("broken.toml")
        _ = FileManager.default.createFile(atPath: theme, contents: Data("name = \"b\"\n[roles]\nok = { fg = \"red\" }\n".utf8))
        let config = GwopsBinary.writeConfig(in: dir, gatewayId: "g", platformURL: "http://127.0.0.1:9", storePath: dir.file("g.db"))
        let (code, _, err) = try await GwopsBinary.run(
            ["console", "--config", config, "--theme", theme], environment: ["GWOPS_TEST_API_KEY": "k"], in: dir)
        #expect(code == 2)
        #expect(err.contains(theme) && err.contains("roles.text is required"))
    }

    @Test func consoleWithoutATerminalSaysSo() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = GwopsBinary.writeConfig(in: dir, gatewayId: "g", platformURL: "http://127.0.0.1:9", storePath: dir.file("g.db"))
        let (code, _, err) = try await GwopsBinary.run(["console", "--config", config], environment: ["GWOPS_TEST_API_KEY": "k"], in: dir)
        #expect(code == 1)
        #expect(err.contains("needs a terminal"))
    }
}

extension CommandLineTests {
    @Test func controllerWithARefusedKeyExitsOneAndSaysWhy() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try await SimulatorHarness.with(deployments: 3) { h in
            let config = GwopsBinary.writeConfig(in: dir, gatewayId: "g", platformURL: h.baseURL, storePath: dir.file("g.db"))
            let (code, _, err) = try await GwopsBinary.run(
                ["controller", "--config", config, "--replica-id", "r1"], environment: ["GWOPS_TEST_API_KEY": "not-the-key"], in: dir)
            #expect(code == 1)
            #expect(err.contains("refused the live connection (401)"))
            #expect(!err.contains("not-the-key"))
        }
    }
}
