import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
public import NIOSSL

/// The simulated platform API on loopback: the contract's endpoints under `/api/internal/v1`
/// plus admin endpoints under `/sim` for tests, the demo and benchmarks.
public struct PlatformSimulator: Sendable {
    public let platform: SimulatedPlatform
    public let apiKey: String
    /// The live path's connections, frames and acks.
    public let live = SimLiveHub()
    /// API keys and subscriptions.
    public let credentials = SimCredentials()
    /// How often the live path pings each gateway; a connection whose pong does not come
    /// within one period is closed. The platform pings every 20 s (and waits 30).
    public let pingPeriod: Duration
    let logger: Logger

    public init(platform: SimulatedPlatform, apiKey: String, pingPeriod: Duration = .seconds(20), logger: Logger = .silent("gwops.platform-sim")) {
        self.platform = platform
        self.apiKey = apiKey
        self.pingPeriod = pingPeriod
        self.logger = logger
    }

    /// Serves on `host:port` (port 0 picks a free one) until cancelled; `onListening` gets the port.
    /// With `tls`, REST and the WebSocket are served over TLS (https, wss).
    public func run(
        host: String = "127.0.0.1", port: Int = 0, tls: TLSConfiguration? = nil, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let router = Router()
        routes(router)
        // Hummingbird reports a cancelled server (our way of stopping it) as an error: keep the
        // server's own logger to critical failures.
        var quiet = logger
        quiet.logLevel = .critical
        let http: HTTPServerBuilder = .http1WebSocketUpgrade(configuration: .init(ws: .init(autoPing: .enabled(timePeriod: pingPeriod)))) {
            request, _, _ in
            // The live path: upgrade only with the right api-key; otherwise the router answers 401.
            guard request.path?.hasPrefix("/api/internal/v1/ws/gateways/connect") == true,
                  request.headerFields[HTTPField.Name("api-key")!] == self.apiKey, await !self.live.rateLimited
            else { return .dontUpgrade }
            return .upgrade([:]) { inbound, outbound, _ in try await self.serveLive(inbound: inbound, outbound: outbound) }
        }
        let app = Application(
            router: router,
            server: try tls.map { try .tls(http, tlsConfiguration: $0) } ?? http,
            configuration: .init(address: .hostname(host, port: port), serverName: "gwops-platform-sim"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: quiet)
        try await app.run()
    }

    func routes(_ router: Router<BasicRequestContext>) {
        let api = router.group("api/internal/v1")
        api.get("deployments") { request, _ in try await self.listDeployments(request) }
        api.post("deployments/fetch-batch") { request, context in try await self.fetchBatch(request, context) }
        api.post("artifacts/exists") { request, context in try await self.exists(request, context) }
        api.get("ws/gateways/connect") { request, _ in
            // The platform's middleware answers before the upgrade, in its own body shape.
            if await self.live.rateLimited {
                return try Self.middlewareError(.tooManyRequests, code: "TOO_MANY_REQUESTS", "Connection rate limit exceeded. Please try again later.")
            }
            guard request.headers[HTTPField.Name("api-key")!] == self.apiKey else {
                return try Self.middlewareError(.unauthorized, code: "UNAUTHORIZED", "Invalid or expired credentials.")
            }
            return Response(status: .badRequest)
        }

        let sim = router.group("sim")
        credentialRoutes(api: api, sim: sim)
        sim.get("state") { request, _ in
            try self.authorize(request)
            let state = SimWire.State(artifacts: await self.platform.all().map(SimWire.stateEntry))
            return try Self.json(state)
        }
        sim.post("artifacts") { request, context in
            try self.authorize(request)
            let body = try await Self.decode(SimWire.CreateRequest.self, request, context)
            let kind = body.kind.flatMap(ArtifactKind.init(rawValue:))
            let made = await self.platform.create(count: max(1, body.count ?? 1), kind: kind)
            return try Self.json(SimWire.State(artifacts: made.map(SimWire.stateEntry)))
        }
        sim.post("artifacts/:id/deploy") { request, context in
            try await self.admin(request, context) { await self.perform(.deploy, on: $0) }
        }
        sim.post("artifacts/:id/undeploy") { request, context in
            try await self.admin(request, context) { await self.perform(.undeploy, on: $0) }
        }
        sim.delete("artifacts/:id/deployment") { request, context in
            try await self.admin(request, context) { await self.platform.deleteDeployment($0) }
        }
        sim.delete("artifacts/:id") { request, context in
            try await self.admin(request, context) { await self.perform(.deleteArtifact, on: $0) }
        }
        sim.post("ws/drop") { request, _ in
            try self.authorize(request)
            await self.live.dropAll()
            return Response(status: .noContent)
        }
        sim.post("ws/frames") { request, _ in
            try self.authorize(request)
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            await self.live.broadcast(String(decoding: body.readableBytesView, as: UTF8.self))
            return Response(status: .noContent)
        }
        sim.get("acks") { request, _ in
            try self.authorize(request)
            return try Self.json(await self.live.acks)
        }
        sim.post("faults") { request, context in
            try self.authorize(request)
            let request = try await Self.decode(SimWire.FaultRequest.self, request, context)
            if let name = request.name {
                guard await self.platform.addFault(named: name) else {
                    throw SimError(status: .badRequest, message: "Bad Request", description: "no fault named \"\(name)\" (GET /sim/faults lists them)")
                }
            } else if let endpoint = request.endpoint {
                await self.platform.addFault(SimFault(
                    endpoint: endpoint, status: request.status, count: request.count ?? 1, delayMs: request.delayMs,
                    corruptArchive: request.corruptArchive, truncateBody: request.truncateBody, mutation: request.mutation))
            } else {
                throw SimError(status: .badRequest, message: "Bad Request", description: "give a fault \"name\" or an \"endpoint\"")
            }
            return Response(status: .noContent)
        }
        sim.get("faults") { request, _ in
            try self.authorize(request)
            return try Self.json(HostileCatalog.all.map { SimWire.NamedFault(name: $0.name, summary: $0.summary) })
        }
        sim.delete("faults") { request, _ in
            try self.authorize(request)
            await self.platform.clearFaults()
            return Response(status: .noContent)
        }
    }

    private func admin(
        _ request: Request, _ context: BasicRequestContext, _ change: @Sendable (String) async -> SimArtifact?
    ) async throws -> Response {
        try authorize(request)
        let id = try context.parameters.require("id")
        guard let artifact = await change(id) else {
            throw SimError(status: .notFound, message: "Not Found", description: "artifact \(id) not found or has no deployment")
        }
        return try Self.json(SimWire.stateEntry(artifact))
    }

    // MARK: Contract endpoints

    private func listDeployments(_ request: Request) async throws -> Response {
        try authorize(request)
        let fault = await platform.takeFault(.deployments)
        if let early = try await apply(fault) { return early }
        var since: Timestamp?
        if let text = request.uri.queryParameters.get("since") {
            guard let parsed = Timestamp(rfc3339: text) else {
                throw SimError(status: .badRequest, message: "Bad Request", description: "since \"\(text)\" is not an RFC 3339 date-time")
            }
            since = parsed
        }
        let listing = await platform.listing(since: since).map(SimWire.deployment)
        if let mutation = fault?.mutation, !mutation.isConnection {
            let body = try await Self.offPool { try SimMutator.listing(listing, mutation) }
            return Self.respond(body, headers: Self.jsonHeaders, fault: fault)
        }
        return try Self.json(SimWire.Deployments(deployments: listing), fault: fault)
    }

    /// The batch endpoint's tar.gz as the platform builds it (`utils/common.go`, WIRE.md): one
    /// regular file per deployment, `{deploymentId}/{prefix}-{artifactId}.yaml`, no directory
    /// entries, in random order (Go map iteration), mtime now, two zero blocks at the end.
    public static func archive(_ contents: [(SimArtifact, SimDeployment)]) throws -> [UInt8] {
        var tar = TarWriter(mtime: Int(Timestamp.now.milliseconds / 1000))
        for (artifact, deployment) in contents.shuffled() {
            let name = "\(deployment.deploymentId)/\(artifact.kind.archivePrefix)-\(artifact.id).yaml"
            tar.addFile(name, content: ContentGenerator.document(for: artifact))
        }
        return try TarWriter.gzip(tar.finish())
    }

    private func fetchBatch(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try authorize(request)
        guard request.headers[.accept] == "application/x-tar+gzip" else {
            throw SimError(status: .notAcceptable, message: "Not Acceptable", description: "Accept must be application/x-tar+gzip")
        }
        let fault = await platform.takeFault(.fetchBatch)
        if let early = try await apply(fault) { return early }
        let body = try await Self.decode(SimWire.BatchRequest.self, request, context)
        guard let ids = body.deploymentIds, !ids.isEmpty else {
            throw SimError(status: .badRequest, message: "Bad Request", description: "deploymentIds must not be empty")
        }
        let contents = await platform.contents(deploymentIds: ids)
        var bytes: [UInt8]
        if let mutation = fault?.mutation, !mutation.isConnection {
            bytes = try await Self.offPool { try SimMutator.archive(contents, mutation) }
        } else {
            bytes = try Self.archive(contents)
        }
        if fault?.corruptArchive == true, bytes.count > 20 {
            for i in 10..<min(bytes.count, 40) { bytes[i] ^= 0x5A }
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/x-tar+gzip"
        headers[.contentDisposition] = "attachment; filename=\"deployments.tar.gz\""
        return Self.respond(bytes, headers: headers, fault: fault)
    }

    private func exists(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try authorize(request)
        let fault = await platform.takeFault(.exists)
        if let early = try await apply(fault) { return early }
        let body = try await Self.decode(SimWire.ExistsRequest.self, request, context)
        guard let ids = body.artifactIds, !ids.isEmpty else {
            throw SimError(status: .badRequest, message: "Bad Request", description: "artifactIds must not be empty")
        }
        var entries: [SimWire.ExistsEntry] = []
        for id in ids { entries.append(.init(artifactId: id, exists: await platform.exists(id))) }
        if let mutation = fault?.mutation, !mutation.isConnection {
            return Self.respond(try SimMutator.exists(entries, mutation), headers: Self.jsonHeaders, fault: fault)
        }
        return try Self.json(SimWire.ExistsResponse(artifacts: entries), fault: fault)
    }
}

/// An error answered as the contract's `{code, message, description}` body.
struct SimError: HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String
    var description: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try PlatformSimulator.json(SimWire.ErrorBody(code: Int(status.code), message: message, description: description), status: status)
    }
}
