import Core
import Foundation

/// The simulator's side of the live path: open gateway connections, the frames sent to them,
/// and the acks they answered with.
public actor SimLiveHub {
    private var subscribers: [Int: AsyncStream<String>.Continuation] = [:]
    private var nextId = 0
    /// Every `deployment.ack` payload received, oldest first.
    public private(set) var acks: [[String: String]] = []
    /// Connections accepted so far.
    public private(set) var connections = 0
    /// When false, new connections get no `connection.ack` (to test the gateway's timeout).
    public var sendsConnectionAck = true
    /// When set, new connections get `{"type":"error","message":…}` and are closed, as the
    /// platform does over its connection limit.
    public var refusal: String?
    /// When true, upgrades are refused with 429 and the middleware's body (rate limit).
    public var rateLimited = false

    public init() {}

    public func setSendsConnectionAck(_ value: Bool) { sendsConnectionAck = value }
    public func setRefusal(_ message: String?) { refusal = message }
    public func setRateLimited(_ value: Bool) { rateLimited = value }

    /// Registers a connection; frames to send arrive on the stream.
    func connect() -> (id: Int, frames: AsyncStream<String>, sendAck: Bool) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        nextId += 1
        connections += 1
        subscribers[nextId] = continuation
        return (nextId, stream, sendsConnectionAck)
    }

    func disconnect(_ id: Int) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    /// Closes every open connection (the platform dropping them).
    public func dropAll() {
        for (_, c) in subscribers { c.finish() }
        subscribers.removeAll()
    }

    public var openConnections: Int { subscribers.count }

    /// Sends a raw text frame to every connection.
    public func broadcast(_ frame: String) {
        for (_, c) in subscribers { c.yield(frame) }
    }

    func received(_ text: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              object["type"] as? String == "deployment.ack", let payload = object["payload"] as? [String: Any]
        else { return }
        acks.append(payload.compactMapValues { $0 as? String })
    }

    /// Announces what an admin operation did, as the platform's live events
    /// (`service/gateway_events.go`): deploys and undeploys carry the deployment id and
    /// `performedAt`; deletions only the id.
    func announce(_ a: SimArtifact, change: String) {
        var payload: [String: Any] = [a.kind.eventIdField: a.id]
        if change != "deleted", let d = a.deployment {
            payload["deploymentId"] = d.deploymentId
            payload["performedAt"] = GoTime.json(d.deployedAt)
        }
        announce(type: "\(a.kind.resourceType).\(change)", payload: payload)
    }

    /// Sends one event in the platform's envelope `{type, payload, timestamp, correlationId}`.
    public func announce(type: String, payload: [String: Any]) {
        let frame: [String: Any] = [
            "type": type, "payload": payload, "timestamp": GoTime.local(.now), "correlationId": UUID().uuidString.lowercased(),
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: frame, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        broadcast(String(decoding: data, as: UTF8.self))
    }
}
