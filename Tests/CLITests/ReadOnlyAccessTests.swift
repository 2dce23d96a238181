import Foundation
import Testing
import TestSupport
@testable import Core

/// A read-only session as a viewer meets it on a gateway host: the store belongs to the service
/// account, the viewer may read its files but write neither them nor their directory, and no
/// writer is running. The viewer's commands run as `nobody` (the tests run as root, to whom
/// permission bits do not apply); the service account is root here.
struct ReadOnlyAccessTests {
    static let gatewayId = "gw-ro"

    /// A store the service account synced from `h`, then closed (the process exited).
    static func syncedStore(in dir: TemporaryDirectory, platform h: SimulatorHarness) async throws -> (config: String, store: String) {
        let store = dir.file("gateway.db")
        let config = GwopsBinary.writeConfig(in: dir, gatewayId: gatewayId, platformURL: h.baseURL, storePath: store)
        let (code, out, err) = try await GwopsBinary.run(
            ["sync", "--config", config], environment: ["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey], in: dir)
        try #require(code == 0, "the service account's sync failed: \(out)\n\(err)")
        return (config, store)
    }

    @Test func aViewerWatchesAStoreItMayOnlyReadWhileNoWriterRuns() async throws {
        let dir = TemporaryDirectory(prefix: "gwops-ro")
        defer { dir.remove() }
        try await SimulatorHarness.with(deployments: 12) { h in
            let (config, store) = try await Self.syncedStore(in: dir, platform: h)
            let total = try await SQLiteStore(path: store, gatewayId: Self.gatewayId, readonly: true).artifactCounts().total
            #expect(total > 0)

            // GWOPS_READONLY=1 (a viewer's profile): status reads the store
            let (code, out, err) = try await GwopsBinary.run(
                ["status", "--config", config], environment: ["GWOPS_READONLY": "1"], asUser: "nobody", in: dir)
            #expect(code == 0, "\(err)")
            #expect(out.contains("artifacts \(total):"), "\(out)\n\(err)")

            // [console] readonly = true: orphans list reads it too
            let viewer = dir.file("viewer.toml")
            let text = try String(contentsOfFile: config, encoding: .utf8) + "\n[console]\nreadonly = true\n"
            _ = FileManager.default.createFile(atPath: viewer, contents: Data(text.utf8))
            chmod(viewer, 0o644)
            let (listCode, _, listErr) = try await GwopsBinary.run(["orphans", "list", "--config", viewer], asUser: "nobody", in: dir)
            #expect(listCode == 0, "\(listErr)")

            // console --readonly opens the store and the platform, and stops only for want of a terminal
            let (consoleCode, _, consoleErr) = try await GwopsBinary.run(
                ["console", "--readonly", "--config", config], environment: ["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey],
                asUser: "nobody", in: dir)
            #expect(consoleCode == 1)
            #expect(consoleErr.contains("needs a terminal"), "\(consoleErr)")
        }
    }

    @Test func aMissingShmFileTheViewerMayNotCreateIsExplained() async throws {
        let dir = TemporaryDirectory(prefix: "gwops-ro")
        defer { dir.remove() }
        try await SimulatorHarness.with(deployments: 3) { h in
            let (config, store) = try await Self.syncedStore(in: dir, platform: h)
            // As an older gwops leaves a store it closed: no -wal, no -shm (the WAL was checkpointed)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }

            let (code, _, err) = try await GwopsBinary.run(
                ["status", "--config", config], environment: ["GWOPS_READONLY": "1"], asUser: "nobody", in: dir)
            #expect(code == 1)
            #expect(err.contains("cannot open store \(store)"), "\(err)")
            #expect(err.contains("\(store)-shm does not exist"), "\(err)")
            let directory = try #require(FileOwnership(of: dir.path))
            #expect(err.contains("permission denied creating files in \(dir.path) (\(directory.summary); running as nobody)"), "\(err)")
            #expect(err.contains("gwops controller"), "\(err)")
            #expect(!err.contains("attempt to write a readonly database"), "\(err)")
        }
    }

    @Test func aStoreFileTheViewerMayNotReadIsNamedWithOwnerAndMode() async throws {
        let dir = TemporaryDirectory(prefix: "gwops-ro")
        defer { dir.remove() }
        try await SimulatorHarness.with(deployments: 3) { h in
            let (config, store) = try await Self.syncedStore(in: dir, platform: h)
            chmod(store, 0o600)

            let (code, _, err) = try await GwopsBinary.run(
                ["status", "--config", config], environment: ["GWOPS_READONLY": "1"], asUser: "nobody", in: dir)
            #expect(code == 1)
            #expect(
                err.contains("cannot open store \(store): permission denied reading store file \(store) (owner root, mode 0600; running as nobody)"),
                "\(err)")
            #expect(!err.contains("SQLite error"), "\(err)")
        }
    }

    @Test func aKeyFileTheViewerMayNotReadSaysPermissionDeniedWithOwnerAndMode() async throws {
        let dir = TemporaryDirectory(prefix: "gwops-ro")
        defer { dir.remove() }
        try await SimulatorHarness.with(deployments: 3) { h in
            let (config, _) = try await Self.syncedStore(in: dir, platform: h)
            let key = dir.file("api-key")
            try (SimulatorHarness.apiKey + "\n").write(toFile: key, atomically: true, encoding: .utf8)
            chmod(key, 0o600)
            _ = config.replacingKeySource(with: "api_key_file = \"\(key)\"")
            chmod(config, 0o644)  // the viewer reads the configuration, not the key

            let (code, _, err) = try await GwopsBinary.run(["console", "--readonly", "--config", config], asUser: "nobody", in: dir)
            #expect(code == 2)
            #expect(err.contains("permission denied reading key file \(key) (owner root, mode 0600; running as nobody)"), "\(err)")
            #expect(err.contains("platform.api_key_file"), "\(err)")
            #expect(!err.contains("UTF-8"), "\(err)")
        }
    }
}
