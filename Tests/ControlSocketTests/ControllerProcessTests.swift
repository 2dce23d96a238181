import AsyncHTTPClient
import ControlSocket
import Core
import Foundation
import Testing
import TestSupport

/// `gwops controller` as a process with its socket and its metrics: the CLI goes through the
/// socket, and the metrics say what `gwops status --json` says.
struct ControllerProcessTests {
    @Test(.timeLimit(.minutes(2)))
    func metricsAgreeWithStatusAndTheCLIGoesThroughTheSocket() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 60, seed: 5) { sim in
            let port = try PostgresServer.freePort()
            let socket = f.directory.file("gw.sock")
            let config = GwopsBinary.writeConfig(
                in: f.directory, gatewayId: StoreFixture.gatewayId, platformURL: sim.baseURL, storePath: f.sqlitePath,
                extra: "[control]\nsocket = \"\(socket)\"\n[metrics]\nlisten = \"127.0.0.1:\(port)\"\n")
            let env = ["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey]
            // Given a store synced once, and an artifact the platform deleted since
            let (first, _, firstErr) = try await GwopsBinary.run(["sync", "--config", config], environment: env, in: f.directory)
            #expect(first == 0, "\(firstErr)")
            let gone = try #require(await sim.platform.all().first { $0.deployment?.state == .deployed }?.id)
            _ = await sim.platform.deleteArtifact(gone)

            // When the controller runs (its startup sync finds the orphan)
            let controller = try GwopsBinary.start(["controller", "--config", config, "--replica-id", "r1"], environment: env, logPrefix: "controller", in: f.directory)
            defer { controller.terminate() }
            try await Self.waitUntil("the controller's startup sync and its socket") {
                guard FileManager.default.fileExists(atPath: socket) else { return false }
                let synced = try await f.store.syncRuns(limit: 5).contains { $0.trigger == .startup && $0.finishedAt != nil }
                let cursor = try await f.store.replicas().first?.appliedSeq
                let head = try await f.store.position().headSeq
                return synced && cursor == head
            }

            // Then `gwops status --json` (through the socket) and the metrics agree
            let (code, json, err) = try await GwopsBinary.run(["status", "--json", "--config", config], in: f.directory)
            #expect(code == 0, "\(err)")
            let status = try JSONDecoder().decode(StatusReport.self, from: Data(json.utf8))
            let metrics = try await Self.scrape(port: port)
            #expect(metrics["gwops_hub_head_seq"] == Double(status.eventHub.headSeq))
            #expect(metrics["gwops_hub_oldest_seq"] == Double(status.eventHub.oldestSeq))
            #expect(metrics["gwops_artifacts"] == Double(status.artifacts.total))
            #expect(metrics[#"gwops_orphans{status="pending"}"#] == Double(status.reviews.pending))
            #expect(status.reviews.pending == 1)
            let replica = try #require(status.replicas.first)
            #expect(metrics[#"gwops_replica_cursor_seq{replica="r1"}"#] == Double(replica.appliedSeq))
            #expect(metrics[#"gwops_replica_lag_events{replica="r1"}"#] == Double(replica.lagEvents))
            #expect(metrics[#"gwops_replica_status{replica="r1",status="\#(replica.status)"}"#] == 1)
            #expect(metrics[#"gwops_sync_runs_total{outcome="succeeded"}"#] == 1, "the startup sync; the CLI's ran before the controller")
            #expect(metrics[#"gwops_sync_last_run{counter="pending_deletion"}"#] == 1)
            #expect(metrics["gwops_platform_reachable"] == 1)
            #expect((metrics["gwops_platform_last_listing_timestamp_seconds"] ?? 0) > Date().timeIntervalSince1970 - 120)

            // And `gwops sync` asks the controller, which runs it (a second succeeded run)
            let (sync, syncOut, syncErr) = try await GwopsBinary.run(["sync", "--config", config], in: f.directory)
            #expect(sync == 0, "\(syncErr)")
            #expect(syncErr.contains("started by the controller (\(socket))") && syncOut.contains("succeeded"), "\(syncOut)\n\(syncErr)")
            #expect(try await Self.scrape(port: port)[#"gwops_sync_runs_total{outcome="succeeded"}"#] == 2)
            #expect(try await f.store.syncRuns(limit: 1).first?.trigger == .cli)

            // And an account without a role is refused at the socket, which the metrics count
            chmod(f.directory.path, 0o755)
            let (refused, _, refusal) = try await GwopsBinary.run(["status", "--config", config], asUser: "nobody", in: f.directory)
            #expect(refused != 0 && refusal.contains("nobody may not use this gateway's control socket"), "\(refusal)")
            let counted = try await Self.scrape(port: port)
            #expect(counted[#"gwops_control_refused_total{reason="no_role"}"#] == 1)
            #expect(counted[#"gwops_control_refused_total{reason="account_limit"}"#] == 0)
            #expect(counted[#"gwops_control_connections{role="viewer"}"#] == 0)
            #expect(counted[#"gwops_control_connections{role="operator"}"#] != nil)
        }
    }

    /// `name{labels}` → value, from the text format.
    static func scrape(port: Int) async throws -> [String: Double] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
        #expect(response.status == .ok)
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    static func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError.timeout(what)
    }
}
