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

    public init() {}

    public func setSendsConnectionAck(_ value: Bool) { sendsConnectionAck = value }

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

    /// Announces what an admin operation did, as the platform's live events.
    func announce(_ a: SimArtifact, change: String) {
        let idField = a.kind == .restApi ? "apiId" : (a.kind == .llmProvider ? "providerId" : "proxyId")
        var payload: [String: String] = [idField: a.id]
        if change != "deleted", let d = a.deployment {
            payload["deploymentId"] = d.deploymentId
            payload["performedAt"] = d.deployedAt.rfc3339
        }
        let frame: [String: Any] = [
            "type": "\(a.kind.resourceType).\(change)", "payload": payload, "timestamp": Timestamp.now.rfc3339,
            "correlationId": UUID().uuidString.lowercased(),
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: frame, options: [.sortedKeys]) else { return }
        broadcast(String(decoding: data, as: UTF8.self))
    }
}
