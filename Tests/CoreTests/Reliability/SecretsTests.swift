import Foundation
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// No secret reaches an output, a log or the store: the platform API key (the right one and a
/// wrong one), the PostgreSQL password and the subscription tokens the platform sends, through
/// successful runs and every error path; API key hashes are stored (a gateway checks keys
/// against them) but never printed or logged.
struct SecretsTests {
    static let wrongKey = "wrong-key-9d2e61"
    static let pgPassword = "pg-secret-31c7aa"

    @Test func theAPIKeyAndThePasswordAppearInNoOutputLogOrStore() async throws {
        let f = try await StoreFixture.make(.sqlite)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 30, seed: 3) { h in
            // A config whose key comes from the environment (set to a wrong key below)
            let wrong = f.directory.file("wrong.toml")
            try FileManager.default.moveItem(
                atPath: GwopsBinary.writeConfig(
                    in: f.directory, gatewayId: StoreFixture.gatewayId, platformURL: h.baseURL, storePath: f.sqlitePath),
                toPath: wrong)
            let keyFile = f.directory.file("api-key")
            try (SimulatorHarness.apiKey + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
            chmod(keyFile, 0o600)
            let config = GwopsBinary.writeConfig(
                in: f.directory, gatewayId: StoreFixture.gatewayId, platformURL: h.baseURL, storePath: f.sqlitePath,
                extra: "").replacingKeySource(with: "api_key_file = \"\(keyFile)\"")
            var outputs: [(String, String)] = []
            func run(_ what: String, _ args: [String], env: [String: String] = [:]) async throws {
                let started = ContinuousClock.now
                let (_, out, err) = try await GwopsBinary.run(args, environment: env, in: f.directory)
                outputs.append((what, out + err))
                if ProcessInfo.processInfo.environment["GWOPS_PRINT_REPORTS"] != nil {
                    print("RUN\t\(what)\t\(ContinuousClock.now - started)\t\((out + err).prefix(300))")
                }
            }

            // Successful runs
            try await run("sync", ["sync", "--config", config])
            try await run("sync --dry-run", ["sync", "--config", config, "--dry-run"])
            try await run("status", ["status", "--config", config])
            try await run("status --json", ["status", "--config", config, "--json"])
            try await run("orphans", ["orphans", "--config", config])
            // A controller that syncs, connects the live path and applies for a while
            let controller = try GwopsBinary.start(
                ["controller", "--config", config, "--replica-id", "r1"], logPrefix: "controller", in: f.directory)
            try await Task.sleep(for: .seconds(2))
            // While it is connected, the platform issues keys and subscriptions (tokens in the events)
            let apis = await h.platform.all().filter { $0.kind == .restApi && $0.deployment?.state == .deployed }
            for api in apis.prefix(3) {
                await h.simulator.createAPIKey(on: api.id)
                await h.simulator.createSubscription(on: api.id)
            }
            try await Task.sleep(for: .seconds(2))
            try await run("status --json after keys", ["status", "--config", config, "--json"])
            controller.terminate()
            await GwopsBinary.exit(of: controller)
            // Error paths: a failing platform, a wrong key, a key file others can read, a store that is down
            await h.platform.addFault(SimFault(endpoint: .deployments, status: 500, count: 100))
            try await run("sync, platform 500", ["sync", "--config", config])
            await h.platform.clearFaults()
            for a in await h.platform.all().prefix(3) { _ = await h.platform.deploy(a.id) }
            await h.platform.addFault(SimFault(endpoint: .fetchBatch, count: 100, mutation: .archiveSymlink))
            try await run("sync, hostile archive", ["sync", "--config", config])
            await h.platform.clearFaults()
            try await run("sync, wrong key", ["sync", "--config", wrong], env: ["GWOPS_TEST_API_KEY": Self.wrongKey])
            try await run("controller, wrong key", ["controller", "--config", wrong, "--replica-id", "r2"], env: ["GWOPS_TEST_API_KEY": Self.wrongKey])
            chmod(keyFile, 0o644)
            try await run("sync, key file readable by others", ["sync", "--config", config])
            chmod(keyFile, 0o600)
            let downStore = f.directory.file("pg.toml")
            try """
                [gateway]
                id = "gw"
                [platform]
                url = "\(h.baseURL)"
                api_key_file = "\(keyFile)"
                [store]
                backend = "postgres"
                url = "postgres://gwops@127.0.0.1:1/gwops"
                """.write(toFile: downStore, atomically: true, encoding: .utf8)
            try await run("status, PostgreSQL down", ["status", "--config", downStore], env: ["PGPASSWORD": Self.pgPassword])
            try await run("sync, PostgreSQL down", ["sync", "--config", downStore], env: ["PGPASSWORD": Self.pgPassword])

            // Then no output, no log file and no store file holds a secret
            var tokens: [String] = []
            var hashes: [String] = []
            for a in await h.platform.all() {
                tokens += await h.simulator.credentials.subscriptions(of: a).map(\.subscriptionToken)
                hashes += await h.simulator.credentials.keys(of: a).map(\.sha256)
            }
            #expect(tokens.count >= 3 && hashes.count >= 3)
            let secrets = [SimulatorHarness.apiKey, Self.wrongKey, Self.pgPassword] + tokens
            for (what, text) in outputs {
                for secret in secrets + hashes { #expect(!text.contains(secret), "\(what) printed a secret: \(text)") }
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: f.directory.path).filter { $0 != "api-key" }
            for name in files {
                guard let bytes = FileManager.default.contents(atPath: f.directory.file(name)) else { continue }
                // Hashes belong in the store; nowhere else.
                let isStore = name.hasPrefix((f.sqlitePath as NSString).lastPathComponent)
                for secret in secrets + (isStore ? [] : hashes) {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(name) holds a secret")
                }
            }
            // And the keys and subscriptions did arrive (they were there to leak)
            let status = try #require(outputs.first { $0.0 == "status --json after keys" }?.1)
            let credentials = try #require(
                (try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any])?["credentials"] as? [String: Int])
            #expect(credentials["subscriptions"] ?? 0 >= 3 && credentials["apiKeys"] ?? 0 >= 3, "\(credentials)")
            // And the runs really happened (a test that reads nothing proves nothing)
            #expect(outputs.first { $0.0 == "sync, wrong key" }?.1.contains("401") == true)
            #expect(outputs.first { $0.0 == "sync, key file readable by others" }?.1.contains("api_key_file") == true)
            #expect(outputs.first { $0.0 == "controller, wrong key" }?.1.contains("401") == true)
            #expect(outputs.first { $0.0 == "sync, hostile archive" }?.1.contains("partial") == true)
            #expect(outputs.first { $0.0 == "status, PostgreSQL down" }?.1.contains("connection refused") == true)
            let controllerLog = (try? String(contentsOfFile: f.directory.file("controller.err"), encoding: .utf8)) ?? ""
            #expect(controllerLog.contains("sync run started"), "the controller ran and logged: \(controllerLog.prefix(300))")
        }
    }
}
