import Foundation
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// The binary against a platform speaking the real wire format, as an operator would run it:
/// a sync of every kind, changes on the platform and a resync, then a controller on the live
/// path (a deploy acked, an undeploy of an unknown id acked, a new key and subscription counted).
@Suite(.timeLimit(.minutes(3)))
struct RealFormatCommandTests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func status(_ config: String, _ dir: TemporaryDirectory) async throws -> [String: Any] {
        let (code, out, err) = try await GwopsBinary.run(["status", "--config", config, "--json"], in: dir)
        #expect(code == 0, "\(err)")
        return try json(out)
    }

    @Test func syncResyncAndTheLivePathAgainstTheRealFormat() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try await SimulatorHarness.with(deployments: 300, seed: 12) { h in
            let config = GwopsBinary.writeConfig(in: dir, gatewayId: "gw-real", platformURL: h.baseURL, storePath: dir.file("gw.db"))
            let env = ["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey]

            // Given a platform with a few hundred deployments of every kind
            let all = await h.platform.all()
            #expect(Set(all.map(\.kind)) == Set(ArtifactKind.allCases))
            // When gwops syncs
            let (code, out, err) = try await GwopsBinary.run(["sync", "--config", config, "--json"], environment: env, in: dir)
            #expect(code == 0, "\(err)")
            let run = try Self.json(out)
            // Then every deployment is applied, none unreadable, and the keys and subscriptions loaded
            let counters = try #require(run["counters"] as? [String: Any])
            let listed = all.filter { $0.deployment != nil }.count
            let deployed = all.filter { $0.deployment?.state == .deployed }.count
            #expect(counters["fetched"] as? Int == deployed && counters["listed"] as? Int == listed)
            #expect(counters["missing"] as? Int == 0 && counters["errors"] as? Int == 0, "\(run["errors"] ?? "")")
            var keys = 0, subscriptions = 0
            for a in all where a.deployment != nil {
                keys += await h.simulator.credentials.keys(of: a).count
                if a.deployment?.state == .deployed { subscriptions += await h.simulator.credentials.subscriptions(of: a).count }
            }
            let loaded = try #require(run["credentials"] as? [String: Any])
            #expect(loaded["apiKeys"] as? Int == keys && loaded["subscriptions"] as? Int == subscriptions)
            var status = try await Self.status(config, dir)
            let byKind = try #require((status["artifacts"] as? [String: Any])?["byKind"] as? [String: Int])
            #expect(Set(byKind.keys) == Set(ArtifactKind.allCases.map(\.rawValue)))

            // And when the platform deletes, undeploys and redeploys, a resync follows it
            let deployedIds = all.filter { $0.deployment?.state == .deployed }.map(\.id)
            _ = await h.platform.deleteArtifact(deployedIds[0])
            _ = await h.platform.undeploy(deployedIds[1])
            _ = try #require(await h.platform.deploy(deployedIds[2]))
            let (again, _, againErr) = try await GwopsBinary.run(["sync", "--config", config, "--json"], environment: env, in: dir)
            #expect(again == 0, "\(againErr)")
            status = try await Self.status(config, dir)
            #expect((status["reviews"] as? [String: Int])?["pending"] == 1)
            #expect((status["lastSync"] as? [String: Any])?["fetched"] as? Int == 1)
            #expect((status["lastSync"] as? [String: Any])?["statusUpdated"] as? Int == 1)

            // And a controller on the live path acks a deploy, and an undeploy of an id it never had
            let controller = try GwopsBinary.start(
                ["controller", "--config", config, "--replica-id", "r1"], environment: env, logPrefix: "controller", in: dir)
            defer { controller.terminate() }
            // (once its startup sync is done: a deploy that sync applies first gets no ack, as on a
            // real gateway)
            try await waitUntil(seconds: 30) {
                let last = try await Self.status(config, dir)["lastSync"] as? [String: Any]
                return last?["trigger"] as? String == "startup" && last?["finishedAt"] is String
            }
            #expect(await h.simulator.live.openConnections == 1)
            let before = try #require(status["credentials"] as? [String: Int])
            let target = deployedIds[3]
            let live = try #require(await h.simulator.perform(.deploy, on: target))
            await h.simulator.live.announce(type: "api.undeployed", payload: [
                "apiId": "never-here", "deploymentId": "dep-never", "performedAt": "2026-11-30T12:00:00.001Z",
            ])
            try await waitUntil(seconds: 20) { await h.simulator.live.acks.count >= 2 }
            let acks = await h.simulator.live.acks
            #expect(acks.contains { $0["deploymentId"] == live.deployment?.deploymentId && $0["status"] == "success" && $0["action"] == "deploy" })
            #expect(acks.contains { $0["artifactId"] == "never-here" && $0["status"] == "success" && $0["action"] == "undeploy" })
            // And a new key and a new subscription show up in the counts
            let api = try #require(all.first { $0.kind == .restApi && $0.deployment?.state == .deployed && $0.id != deployedIds[0] })
            await h.simulator.createAPIKey(on: api.id)
            await h.simulator.createSubscription(on: api.id)
            try await waitUntil(seconds: 20) {
                let now = try await Self.status(config, dir)["credentials"] as? [String: Int]
                return now?["apiKeys"] == (before["apiKeys"] ?? 0) + 1 && now?["subscriptions"] == (before["subscriptions"] ?? 0) + 1
            }
        }
    }
}
