#if canImport(Glibc)
import Glibc
#endif
import Core
import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import Logging
import NIOCore
import ServiceLifecycle

/// The controller's control socket (DESIGN §9, docs/control-api.md): HTTP with JSON on a Unix
/// domain socket. Every request is answered for the peer the kernel names (`SO_PEERCRED`), with
/// the role `[access]` gives it. A ServiceLifecycle service: it serves until graceful shutdown.
public struct ControlServer: Service {
    public let path: String
    let service: LocalGatewayService
    let policy: AccessPolicy
    let hub: HubBroadcast
    let logger: Logger
    /// Who gets a connection, and how many.
    let admission: ControlAdmission
    /// Hears once the socket accepts at `path`.
    let onListening: @Sendable () async -> Void

    public init(
        path: String, service: LocalGatewayService, policy: AccessPolicy, hub: HubBroadcast, logger: Logger,
        limits: ControlLimits = ControlLimits(), onListening: @escaping @Sendable () async -> Void = {}
    ) {
        self.path = path
        self.service = service
        self.policy = policy
        self.hub = hub
        self.logger = logger
        self.admission = ControlAdmission(limits: limits, policy: policy, logger: logger)
        self.onListening = onListening
    }

    /// Connections served and refused so far, for the metrics.
    public var stats: ControlSocketStats { admission.stats }

    /// Checks that the path is this server's to take: one a dead controller left is removed; one
    /// a live controller serves, or that is not a socket, or whose directory is missing is an
    /// error in words. `run` claims it again; a controller calls this before it starts anything.
    public func claim() throws {
        try SocketPath.claim(path)
    }

    /// Claims the socket path, then serves until graceful shutdown (or cancellation).
    public func run() async throws {
        try SocketPath.claim(path)
        // Every connection costs a descriptor until it is refused or served.
        OpenFiles.raiseToHardLimit()
        // Bound under a private name, opened to everyone, then renamed into place: a client never
        // finds the path before it accepts every local account.
        let bindPath = SocketPath.privateName(for: path)
        unlink(bindPath)
        defer {
            SocketPath.release(path)
            unlink(bindPath)
        }
        let router = Router(context: ControlContext.self)
        router.add(middleware: ControlErrors())
        router.add(middleware: PeerMiddleware(policy: policy, logger: logger))
        ControlRoutes(service: service, policy: policy, hub: hub).register(router)
        var quiet = logger
        quiet.logLevel = .critical
        let (path, logger, onListening) = (self.path, self.logger, self.onListening)
        // Whether the socket could be put at `path`, once the server runs.
        let (placed, place) = AsyncStream.makeStream(of: String?.self, bufferingPolicy: .bufferingNewest(1))
        // Every connection is accepted at once and admitted or refused from its credentials: the
        // accept queue never fills, so nobody waits behind connections that may not be served.
        let (admission, directory) = (self.admission, PeerDirectory())
        let server = HTTPServerBuilder { responder in
            AdmittingChannel(
                http: HTTP1Channel(
                    responder: responder,
                    configuration: .init(additionalChannelHandlers: [RequestArrival()], idleTimeout: TimeAmount(admission.limits.idleTimeout))),
                admission: admission, directory: directory)
        }
        let app = Application(
            router: router, server: server,
            // A long accept queue: a burst of connections waits its turn to be refused instead of
            // being turned away before anyone looked at it (the kernel caps it at somaxconn).
            configuration: .init(address: .unixDomainSocket(path: bindPath), serverName: "gwops-controller", backlog: 4096),
            onServerRunning: { _ in
                // Who may connect is decided per request from the peer's credentials, so the
                // socket itself is open to every local account (a viewer must reach it to watch).
                chmod(bindPath, 0o666)
                guard rename(bindPath, path) == 0 else {
                    place.yield("cannot put the control socket at \(path): \(String(cString: strerror(errno)))")
                    return
                }
                place.yield(nil)
                logger.info("control socket listening", metadata: ["path": "\(path)"])
                await onListening()
            },
            logger: quiet)
        let hub = self.hub
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    defer { place.finish() }
                    try await app.run()
                }
                // A socket that could not be put in place stops the server, in words.
                for await problem in placed {
                    if let problem { throw ControlSocketError(problem) }
                    break
                }
            }
        } onGracefulShutdown: {
            // Event streams never end by themselves: ended here, the server can finish.
            hub.close()
        }
    }
}

/// The request context: the connection's channel (for its peer credentials) and the caller.
struct ControlContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    var caller: SocketCaller?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// A socket caller: who the kernel says it is, its role, and the address it claims.
struct SocketCaller: Sendable {
    var peer: PeerIdentity
    var role: Role
    var claimedAddress: String?
}

/// Names the peer of every request and refuses one with no role, in words.
struct PeerMiddleware: RouterMiddleware {
    typealias Context = ControlContext
    let policy: AccessPolicy
    let logger: Logger

    func handle(_ request: Request, context: ControlContext, next: (Request, ControlContext) async throws -> Response) async throws -> Response {
        guard let credentials = try? await PeerCredentials.read(context.channel) else {
            return try ControlReply.error(.forbidden, "the control socket could not tell who is asking (no peer credentials)")
        }
        let peer = PeerIdentity.lookUp(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid)
        guard let role = policy.role(of: peer) else {
            logger.notice("control socket caller refused", metadata: ["user": "\(peer.user)", "uid": "\(peer.uid)"])
            return try ControlReply.error(.forbidden, policy.refusalToWatch(peer))
        }
        var context = context
        let claimed = request.headers[HTTPField.Name(ControlWire.sshConnectionHeader)!]
        context.caller = SocketCaller(peer: peer, role: role, claimedAddress: claimed?.split(separator: " ").first.map(String.init))
        return try await next(request, context)
    }
}

/// The peer of a Unix-domain connection, from the kernel.
enum PeerCredentials {
    /// Linux's `struct ucred` (Glibc declares it only under _GNU_SOURCE, which Swift's Glibc
    /// module does not define).
    struct UCred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// The credentials the peer had when it connected.
    static let option = SO_PEERCRED

    static func read(_ channel: any Channel) async throws -> UCred {
        try await request(channel).get()
    }

    /// The credentials, as a future on the channel's event loop.
    static func request(_ channel: any Channel) -> EventLoopFuture<UCred> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported) }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(option))
    }
}
