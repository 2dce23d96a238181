import Core
import Foundation
import HummingbirdWebSocket

/// The simulator's live path: admin changes announced as events, churn, and the connections.
extension PlatformSimulator {
    /// A platform change that the live path announces.
    public enum LiveChange: Sendable, CaseIterable {
        case deploy, undeploy, deleteArtifact, create
    }

    /// Changes the platform and announces it to connected gateways, as the admin endpoints do.
    @discardableResult
    public func perform(_ change: LiveChange, on id: String) async -> SimArtifact? {
        switch change {
        case .deploy:
            guard let a = await platform.deploy(id) else { return nil }
            await live.announce(a, change: "deployed")
            return a
        case .undeploy:
            guard let a = await platform.undeploy(id) else { return nil }
            await live.announce(a, change: "undeployed")
            return a
        case .deleteArtifact:
            guard let a = await platform.deleteArtifact(id) else { return nil }
            await live.announce(a, change: "deleted")
            return a
        case .create:
            guard let a = await platform.create(count: 1).first else { return nil }
            await live.announce(a, change: "deployed")
            return a
        }
    }

    /// Random platform changes at `perSecond`, announced on the live path, until cancelled
    /// (`gwops-demo platform-sim --churn N`). Mostly deploys and undeploys; deletions and creations
    /// keep the population about constant.
    public func churn(perSecond: Double, seed: UInt64) async {
        guard perSecond > 0 else { return }
        var rng = SeededRandom(seed: seed &+ 0x5EED)
        let pause = Duration.milliseconds(max(1, Int(1000 / perSecond)))
        while !Task.isCancelled {
            let all = await platform.all()
            if let target = all.isEmpty ? nil : all[Int(rng.next() % UInt64(all.count))] {
                switch rng.next() % 22 {
                case ..<9: await perform(.deploy, on: target.id)
                case ..<15: await perform(.undeploy, on: target.id)
                case ..<17: await perform(.create, on: target.id)
                case 17: await perform(.deleteArtifact, on: target.id)
                case 18: await createAPIKey(on: target.id)
                case 19: await createSubscription(on: target.id)
                // Events a gateway has no use for, as the platform sends them too.
                default: await live.announce(type: "subscriptionPlan.updated", payload: ["planId": target.id, "name": "Gold"])
                }
            }
            try? await Task.sleep(for: pause)
        }
    }

    /// One gateway connection: `connection.ack`, then every announced frame; acks are recorded.
    func serveLive(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        if let refusal = await live.refusal {
            let text = String(decoding: try JSONSerialization.data(withJSONObject: ["type": "error", "message": refusal]), as: UTF8.self)
            try await outbound.write(.text(text))
            return
        }
        let (id, frames, sendAck) = await live.connect()
        defer { Task { await live.disconnect(id) } }
        if sendAck {
            let ack = #"{"type":"connection.ack","gatewayId":"sim-gateway","connectionId":"conn-\#(id)","timestamp":"\#(GoTime.local(.now))"}"#
            try await outbound.write(.text(ack))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames { try await outbound.write(.text(frame)) }
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { await self.live.received(text) }
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }
}
