import Core
import Foundation
import Hummingbird
import NIOCore

/// The control API's routes (docs/control-api.md). Reads are open to viewers; the service refuses
/// actions for a viewer in words.
struct ControlRoutes: Sendable {
    let service: LocalGatewayService
    let policy: AccessPolicy
    let hub: HubBroadcast
    /// How often an idle event stream writes an empty line (a dead client is then noticed).
    var keepAlive: Duration = .seconds(10)
    /// Reads that cost CPU (store queries and JSON for a whole table) take turns, two at a time.
    let reads = ReadLimiter(limit: 2)
    /// Dashboards are the same for every caller: one read every 250 ms serves every console.
    let dashboards = ReplyCache(ttl: .milliseconds(250))

    func register(_ router: Router<ControlContext>) {
        let v1 = router.group("v1")
        v1.get("whoami") { _, context in
            let caller = try Self.caller(context)
            return try ControlReply.json(
                Caller(user: caller.peer.user, role: caller.role, peer: caller.peer, actionRefusal: refusal(caller, "act")))
        }
        v1.get("status") { _, context in try await reads.run { try ControlReply.json(try await scoped(context).status()) } }
        v1.get("snapshot") { _, context in try await reads.run { try ControlReply.json(try await scoped(context).snapshot()) } }
        v1.get("events") { request, context in
            let after = try Self.int(request, "after") ?? 0
            let limit = min(try Self.int(request, "limit") ?? 1000, 10_000)
            return try await reads.run { try ControlReply.json(try await scoped(context).events(after: after, limit: Int(limit))) }
        }
        v1.get("hub") { _, context in try ControlReply.json(try await scoped(context).hubPosition()) }
        v1.get("events/stream") { request, context in
            _ = try Self.caller(context)
            return try await stream(after: try Self.int(request, "after") ?? 0)
        }
        v1.get("dashboard") { request, context in
            let events = min(try Self.int(request, "events") ?? 500, 5000)
            let window = min(try Self.int(request, "lag_window") ?? 600, 86_400)
            let service = try scoped(context)
            let body = try await dashboards.body("\(events) \(window)") {
                try await reads.run {
                    ByteBuffer(data: try ControlReply.encoder.encode(try await service.dashboard(recentEvents: Int(events), lagWindow: .seconds(window))))
                }
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        v1.get("reviews") { request, context in
            let words = request.uri.queryParameters["status"].map { $0.split(separator: ",").map(String.init) } ?? ["pending", "retained", "retention_confirmed"]
            var statuses: [ReviewStatus] = []
            for word in words {
                guard let status = ReviewStatus(rawValue: word) else {
                    return try ControlReply.error(.badRequest, "status: unknown review status \"\(word)\" (one of \(ReviewStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                statuses.append(status)
            }
            return try await reads.run { try ControlReply.json(try await scoped(context).reviews(statuses: statuses)) }
        }
        v1.get("reviews/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let review = try await scoped(context).review(idOrArtifact: id) else {
                return try ControlReply.error(.notFound, "no review or orphaned artifact with id \(id)")
            }
            return try ControlReply.json(review)
        }
        v1.post("reviews/:id/decision") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            let service = try scoped(context)
            // A viewer is refused before the body is read (and the refusal audited).
            try await service.mayAct("review.decision", target: "review \(id)")
            let body = try await ControlReply.decode(ControlWire.DecisionRequest.self, request)
            let result = try await service.decide(reviewId: id, decision: body.decision, seen: body.seen, force: body.force ?? false)
            return try ControlReply.json(ControlWire.DecisionReply(result))
        }
        v1.get("runs/:id") { _, context in
            let id = try context.parameters.require("id", as: Int64.self)
            guard let run = try await scoped(context).syncRun(id: id) else { return try ControlReply.error(.notFound, "no sync run #\(id)") }
            return try ControlReply.json(run)
        }
        v1.get("artifacts/:uuid") { _, context in
            try await reads.run { try ControlReply.json(try await scoped(context).detail(uuid: try context.parameters.require("uuid"))) }
        }
        v1.get("platform/deployments") { request, context in
            let since = try Self.int(request, "since").map { Timestamp(microseconds: $0) }
            return try ControlReply.json(ControlWire.ListingReply(listing: try await scoped(context).listDeployments(since: since)))
        }
        v1.get("sync/plan") { _, context in try ControlReply.json(try await scoped(context).plan()) }
        v1.post("sync") { request, context in
            let service = try scoped(context)
            try await service.mayAct("sync.start", target: "control socket")
            let body = try await ControlReply.decode(ControlWire.SyncRequest.self, request, emptyAs: ControlWire.SyncRequest())
            let trigger = body.trigger ?? .console
            guard [.console, .cli].contains(trigger) else {
                return try ControlReply.error(.badRequest, "trigger: \(trigger.rawValue) is not one a client may give (console or cli)")
            }
            let run = try await service.startSync(trigger: trigger)
            return try ControlReply.json(ControlWire.SyncStarted(run: run), status: .accepted)
        }
    }

    /// The service acting for this request's caller: as that caller in the audit log, refusing
    /// actions for a viewer.
    private func scoped(_ context: ControlContext) throws -> LocalGatewayService {
        let caller = try Self.caller(context)
        return service.acting(as: caller.peer.actor(claimedClientAddress: caller.claimedAddress), refusal: refusal(caller, "act"))
    }

    private func refusal(_ caller: SocketCaller, _ action: String) -> String? {
        caller.role == .operator ? nil : policy.refusalToAct(caller.peer, action: action)
    }

    /// Hub events after `after` as they are applied, one JSON object per line; an empty line
    /// after `keepAlive` of quiet. The backlog comes from the store, then the broadcast; it ends
    /// when the client falls too far behind (it reconnects from its cursor).
    private func stream(after: Int64) async throws -> Response {
        let live = hub.subscribe(keepAlive: keepAlive)
        let store = service.store
        let keepAlive = keepAlive
        let body = ResponseBody { writer in
            var cursor = after
            while true {
                let backlog = try await store.events(after: cursor, limit: 5000)
                for event in backlog { try await writer.write(try ControlReply.line(event)) }
                cursor = backlog.last?.seq ?? cursor
                if backlog.count < 5000 { break }
            }
            try await writer.write(ByteBuffer(string: "\n"))
            var lastWrite = ContinuousClock.now
            for await delivery in live {
                switch delivery {
                case .event(let shared) where shared.event.seq > cursor:
                    try await writer.write(ByteBuffer(data: try shared.wireForm(ControlReply.lineData)))
                    cursor = shared.event.seq
                    lastWrite = .now
                case .event: break
                case .tick:
                    if ContinuousClock.now - lastWrite >= keepAlive {
                        try await writer.write(ByteBuffer(string: "\n"))
                        lastWrite = .now
                    }
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    static func caller(_ context: ControlContext) throws -> SocketCaller {
        guard let caller = context.caller else { throw HTTPError(.forbidden, message: "no caller") }
        return caller
    }

    static func int(_ request: Request, _ name: String) throws -> Int64? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw HTTPError(.badRequest, message: "\(name): \"\(text)\" is not a whole number ≥ 0")
        }
        return value
    }
}

/// JSON replies and request bodies.
enum ControlReply {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }

    static func line<T: Encodable>(_ value: T) throws -> ByteBuffer {
        ByteBuffer(data: try lineData(value))
    }

    /// `value` as one line of NDJSON.
    static func lineData<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, holder: String? = nil, run: Int64? = nil) throws -> Response {
        try json(ControlWire.ErrorBody(error: message, holder: holder, run: run), status: status)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, emptyAs empty: T? = nil) async throws -> T {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: ControlWire.maxRequestBody)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "the request body is over \(ControlWire.maxRequestBody / 1024) KiB")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw HTTPError(.contentTooLarge, message: "the request body is over \(ControlWire.maxRequestBody / 1024) KiB")
        } catch {
            throw HTTPError(.badRequest, message: "the request body could not be read: \(error)")
        }
        if body.readableBytes == 0, let empty { return empty }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "the request body is not the JSON this call takes: \(JSONProblem.describe(error))")
        }
    }
}

/// Turns what a handler throws into a JSON error reply with a sentence.
struct ControlErrors: RouterMiddleware {
    typealias Context = ControlContext

    func handle(_ request: Request, context: ControlContext, next: (Request, ControlContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            return try ControlReply.error(error.status, error.body ?? error.status.reasonPhrase)
        } catch let error as ActionRefused {
            return try ControlReply.error(.forbidden, error.reason)
        } catch let SyncError.busy(holder, run) {
            return try ControlReply.error(.conflict, "\(SyncError.busy(holder: holder, runId: run))", holder: holder, run: run)
        } catch let error as StorageError {
            return try ControlReply.error(.serviceUnavailable, "\(error)")
        } catch let error as NoPlatform {
            return try ControlReply.error(.serviceUnavailable, "\(error)")
        } catch {
            return try ControlReply.error(.internalServerError, "\(error)")
        }
    }
}
