import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOHTTP1

/// The gateway through the controller's control socket: what a console or CLI uses when the
/// controller runs (it then needs neither the platform key nor access to the store).
public final class ControlClient: GatewayService {
    public let path: String
    /// Sent with every request, recorded by the controller as claimed (`SSH_CONNECTION`).
    let sshConnection: String?
    let decoder = JSONDecoder()
    let encoder = JSONEncoder()
    var http: HTTPClient { Self.http }

    /// One HTTP client for every control socket this process talks to, kept for the process's
    /// life (as `HTTPClient.shared` is): a client of a gateway costs no event loop or pool of its
    /// own, and nothing needs shutting down. Its pool keeps connections per socket path.
    /// Idle connections are dropped well before the controller's 30 s idle timeout closes them,
    /// so a request rarely meets a connection the server is closing (and a GET that does is sent
    /// again, below). A request waiting for a pooled connection waits as long as its own deadline
    /// allows, not the 10 s a network connect would get.
    static let http = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(
            timeout: .init(connect: .seconds(30)),
            connectionPool: .init(idleTimeout: .seconds(10), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)))

    init(path: String, sshConnection: String?) {
        self.path = path
        self.sshConnection = sshConnection
    }

    /// How long `connect` waits for the controller's first answer.
    static let connectWait = 3

    /// A client on `path` when a controller answers there; nil when nobody serves it (no file, a
    /// socket a dead controller left). Throws the controller's refusal when it answers but will
    /// not serve this account, so the user reads why; throws `ControllerBusy` when a controller
    /// listens there but does not answer in time.
    public static func connect(path: String, environment: [String: String]) async throws -> ControlClient? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let client = ControlClient(path: path, sshConnection: environment["SSH_CONNECTION"])
        do {
            _ = try await client.whoami(timeout: .seconds(Int64(connectWait)))
            return client
        } catch let error as ActionRefused {
            throw error  // it answers, but not to this account: say why rather than go around it
        } catch let error as ControlError where error.status != nil {
            throw error
        } catch {
            // No answer: is anyone there?
            switch SocketPath.probe(path) {
            case .nobody, .failed: return nil
            case .answers(let pid): throw ControllerBusy(path: path, pid: pid, queueFull: false, timedOut: isTimeout(error))
            case .queueFull(let pid): throw ControllerBusy(path: path, pid: pid, queueFull: true, timedOut: isTimeout(error))
            }
        }
    }

    /// `connect` for a caller that has just started the controller: asked again while nobody
    /// answers yet or the controller is too busy to (starting, or a loaded machine), until
    /// `patience` runs out. Nil when nobody ever served the path; a refusal is thrown at once.
    public static func awaitController(path: String, environment: [String: String], patience: Duration = .seconds(30)) async throws -> ControlClient? {
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                if let client = try await connect(path: path, environment: environment) { return client }
                if ContinuousClock.now >= deadline { return nil }
            } catch let busy as ControllerBusy {
                if ContinuousClock.now >= deadline { throw busy }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func isTimeout(_ error: any Error) -> Bool {
        let underlying = (error as? ControlError)?.cause ?? error
        guard let error = underlying as? HTTPClientError else { return false }
        return error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
    }

    public var origin: ServiceOrigin { .socket(path) }

    public func whoami() async throws -> Caller { try await whoami(timeout: .seconds(10)) }

    func whoami(timeout: TimeAmount) async throws -> Caller {
        try await get("/v1/whoami", timeout: timeout)
    }

    public func status() async throws -> StatusReport { try await get("/v1/status") }
    public func snapshot() async throws -> ViewSnapshot { try await get("/v1/snapshot", timeout: .seconds(120)) }

    public func events(after seq: Int64, limit: Int) async throws -> [HubEvent] {
        try await get("/v1/events?after=\(seq)&limit=\(limit)")
    }

    public func hubPosition() async throws -> HubPosition { try await get("/v1/hub") }

    public func dashboard(recentEvents: Int, lagWindow: Duration) async throws -> Dashboard {
        try await get("/v1/dashboard?events=\(recentEvents)&lag_window=\(lagWindow.components.seconds)")
    }

    public func reviews(statuses: [ReviewStatus]) async throws -> [OrphanReview] {
        try await get("/v1/reviews?status=\(statuses.map(\.rawValue).joined(separator: ","))")
    }

    public func review(idOrArtifact: String) async throws -> OrphanReview? {
        do {
            return try await get("/v1/reviews/\(Self.escape(idOrArtifact))")
        } catch let error as ControlError where error.status == 404 {
            return nil
        }
    }

    public func syncRun(id: Int64) async throws -> SyncRunRecord? {
        do {
            return try await get("/v1/runs/\(id)")
        } catch let error as ControlError where error.status == 404 {
            return nil
        }
    }

    public func detail(uuid: String) async throws -> ArtifactDetail { try await get("/v1/artifacts/\(Self.escape(uuid))") }

    public func listDeployments(since: Timestamp?) async throws -> DeploymentListing? {
        let reply: ControlWire.ListingReply = try await get(
            "/v1/platform/deployments\(since.map { "?since=\($0.microseconds)" } ?? "")", timeout: .seconds(120))
        return reply.listing
    }

    public func plan() async throws -> SyncPreview { try await get("/v1/sync/plan", timeout: .seconds(300)) }

    public func startSync(trigger: SyncTrigger) async throws -> Int64 {
        let reply: ControlWire.SyncStarted = try await send(.POST, "/v1/sync", body: ControlWire.SyncRequest(trigger: trigger))
        return reply.run
    }

    public func decide(reviewId: Int64, decision: ReviewDecision, seen: ReviewVersion?, force: Bool) async throws -> DecisionResult {
        let reply: ControlWire.DecisionReply = try await send(
            .POST, "/v1/reviews/\(reviewId)/decision", body: ControlWire.DecisionRequest(decision: decision, seen: seen, force: force))
        guard let result = reply.decisionResult else { throw ControlError(path: path, status: nil, "an unknown decision result \"\(reply.result)\"") }
        return result
    }

    /// Hub events after `seq` as the controller applies them, in batches, until the connection
    /// ends (the controller stopped, or this client fell too far behind: reconnect from the cursor).
    /// The request is made by the first `next()`, in the consumer's task, and ends with it.
    public func follow(after seq: Int64) -> AsyncThrowingStream<[HubEvent], any Error>? { stream(after: seq) }

    /// `follow(after:)`: the controller always pushes.
    public func stream(after seq: Int64) -> AsyncThrowingStream<[HubEvent], any Error> {
        let reader = EventLineReader(client: self, uri: "/v1/events/stream?after=\(seq)")
        return AsyncThrowingStream { try await reader.next() }
    }

    // MARK: - HTTP

    private func get<T: Decodable>(_ uri: String, timeout: TimeAmount = .seconds(30)) async throws -> T {
        try await send(.GET, uri, body: nil as String?, timeout: timeout)
    }

    private func send<T: Decodable, B: Encodable>(_ method: HTTPMethod, _ uri: String, body: B?, timeout: TimeAmount = .seconds(30)) async throws -> T {
        var request = request(uri, method: method)
        if let body {
            request.body = .bytes(ByteBuffer(data: try encoder.encode(body)))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch where method == .GET && Self.isClosedConnection(error) {
            // A kept-alive connection the controller closed as it was reused: a read is safe to repeat.
            do {
                response = try await http.execute(request, timeout: timeout)
            } catch {
                throw ControlError(path: path, status: nil, "no answer: \(error)", cause: error)
            }
        } catch {
            throw ControlError(path: path, status: nil, "no answer: \(error)", cause: error)
        }
        guard (200..<300).contains(Int(response.status.code)) else { throw try await failure(response) }
        let bytes = try await response.body.collect(upTo: 1 << 30)
        do {
            return try decoder.decode(T.self, from: Data(bytes.readableBytesView))
        } catch {
            throw ControlError(path: path, status: nil, "an answer this gwops cannot read (\(error)); is the controller the same version?")
        }
    }

    func request(_ uri: String, method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: URL(httpURLWithSocketPath: path, uri: uri)!.absoluteString)
        request.method = method
        if let sshConnection { request.headers.add(name: ControlWire.sshConnectionHeader, value: sshConnection) }
        return request
    }

    /// The controller's error reply as the error it stands for.
    func failure(_ response: HTTPClientResponse) async throws -> any Error {
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let body = try? decoder.decode(ControlWire.ErrorBody.self, from: Data(bytes.readableBytesView))
        let message = body?.error ?? "HTTP \(response.status.code)"
        switch response.status.code {
        case 403: return ActionRefused(message)
        case 409: return SyncError.busy(holder: body?.holder ?? "another replica", runId: body?.run)
        default: return ControlError(path: path, status: Int(response.status.code), message)
        }
    }

    /// The connection was closed or reset under the request (not a refusal to connect).
    static func isClosedConnection(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError { return error == .remoteConnectionClosed }
        if let error = error as? IOError { return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE }
        return false
    }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }
}

/// A control-socket call that failed, naming the socket.
public struct ControlError: AnsweredError, Sendable, CustomStringConvertible {
    public var path: String
    /// The HTTP status of the controller's reply; nil when it did not reply.
    public var status: Int?
    public var message: String
    /// What failed under a call that got no answer.
    var cause: (any Error)?

    init(path: String, status: Int?, _ message: String, cause: (any Error)? = nil) {
        self.path = path
        self.status = status
        self.message = message
        self.cause = cause
    }

    public var description: String { "control socket \(path): \(message)" }
}

/// A controller listens on the socket but did not answer in time: it is running, and busy (or
/// stuck). Not "no controller": the user must not be sent to start one.
public struct ControllerBusy: Error, Sendable, CustomStringConvertible {
    public var path: String
    /// The listening process, as the kernel names it.
    public var pid: Int32?
    /// Its queue of connections not yet accepted is full.
    public var queueFull: Bool
    /// The wait ran out (rather than the connection failing under the request).
    public var timedOut: Bool
    /// Why the store is no way around it for this account, when it was tried.
    public var storeProblem: String?

    public var description: String {
        let running = "it is running\(pid.map { " (pid \($0))" } ?? "") but busy"
        let what = if queueFull {
            "the controller at \(path) accepts no more connections now (its queue is full); \(running)"
        } else if timedOut {
            "the controller at \(path) did not answer within \(ControlClient.connectWait) s; \(running)"
        } else {
            "the controller at \(path) accepted the connection but did not answer; \(running)"
        }
        return what + (storeProblem.map { "; and this account cannot use the store directly: \($0)" } ?? "")
    }
}
