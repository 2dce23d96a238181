import Foundation
import HTTPTypes
import Logging
internal import NIOSSL
import Synchronization
internal import WSClient

/// Why the live path stopped for good.
public enum LiveError: Error, Equatable, CustomStringConvertible {
    /// The platform refused the api-key (401/403): retrying cannot help. `words`: what it said.
    case unauthorized(status: Int, words: String? = nil)
    /// `wss://` to an IP address with certificate checks on: the WebSocket client can only check
    /// a certificate against a host name.
    case certificateForIPAddress(host: String)

    public var description: String {
        switch self {
        case .unauthorized(let status, let words):
            "the platform refused the live connection (\(status))\(words.map { ": \($0)" } ?? ""); check [platform] api_key_file / api_key_env"
        case .certificateForIPAddress(let host):
            "the live path cannot check the platform's certificate for the IP address \(host): give [platform] url with the host name its certificate names (or set tls_verify = false)"
        }
    }
}

/// Tunables of the live path.
public struct LiveOptions: Sendable {
    /// `connection.ack` must arrive this soon after connecting.
    public var ackTimeout: Duration = .seconds(5)
    /// Our pings; a connection that does not answer within a period is dead (the platform
    /// pings every 20 s, so silence for ~35 s ends the connection either way).
    public var pingPeriod: Duration = .seconds(17)
    /// The wait before reconnecting: from `minBackoff`, doubling to `maxBackoff`, ×0.5–1.0;
    /// back to `minBackoff` once a connection was acknowledged.
    public var minBackoff: Duration = .seconds(1)
    public var maxBackoff: Duration = .seconds(300)
    /// What the reconnect waits on (a test clock in tests).
    public var clock: any Clock<Duration> = ContinuousClock()
    /// A live event that could not be applied (the store was down, the archive fetch failed) is
    /// healed by a sync this long after, one for all the failures in between.
    public var healDelay: Duration = .seconds(2)
    /// Events received but not applied yet beyond which the connection is dropped (the sync
    /// after reconnecting catches up instead of an ever-growing queue).
    public var maxBacklog = 10_000

    public init() {}
}

/// Why the live path asks for a sync.
public enum LiveSyncReason: Sendable, Equatable {
    /// After the `attempt`th connection (1: the first).
    case connected(attempt: Int)
    /// A live event could not be applied.
    case heal

    /// How the sync run is recorded.
    public var trigger: SyncTrigger {
        switch self {
        case .connected(let attempt): attempt == 1 ? .startup : .reconnect
        case .heal: .heal
        }
    }
}

/// The controller's live connection: connects with the `api-key` header, requires
/// `connection.ack`, applies events and answers `deployment.ack`, and reconnects with exponential
/// backoff and jitter. After every (re)connection it calls `onSync` — the startup sync that
/// heals whatever was missed while away — and again shortly after a live event it could not apply.
public struct LiveSession: Sendable {
    let url: String
    let apiKey: String
    let tlsVerify: Bool
    let handler: LiveEventHandler
    let platform: any PlatformAPI
    let options: LiveOptions
    let logger: Logger
    let onSync: @Sendable (LiveSyncReason) async -> Void

    /// - Parameter tlsVerify: `[platform] tls_verify`: false skips certificate checks, as for REST.
    public init(
        platformURL: String, apiKey: String, tlsVerify: Bool = true, handler: LiveEventHandler, platform: any PlatformAPI,
        options: LiveOptions = LiveOptions(), logger: Logger = .silent("gwops.live"),
        onSync: @escaping @Sendable (LiveSyncReason) async -> Void
    ) {
        var base = platformURL
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/api/internal/v1") { base += "/api/internal/v1" }
        if base.hasPrefix("https://") { base = "wss://" + base.dropFirst(8) } else if base.hasPrefix("http://") { base = "ws://" + base.dropFirst(7) }
        self.url = base + "/ws/gateways/connect"
        self.apiKey = apiKey
        self.tlsVerify = tlsVerify
        self.handler = handler
        self.platform = platform
        self.options = options
        self.logger = logger
        self.onSync = onSync
    }

    /// Runs until cancelled; throws only a `LiveError` (a refused key, a certificate it cannot check).
    public func run() async throws {
        var backoff = Backoff(initial: options.minBackoff, maximum: options.maxBackoff, jitter: 0.5...1.0)
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            let acknowledged = ManagedFlag()
            do {
                try await connectOnce(attempt: attempt, acknowledged: acknowledged)
                logger.info("live connection closed", metadata: ["attempt": "\(attempt)"])
            } catch is CancellationError {
                return
            } catch let error as LiveError {
                throw error
            } catch {
                logger.warning("live connection failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                if let refusal = await platform.liveConnectionRefusal() {
                    if let status = refusal.status, status == 401 || status == 403 {
                        throw LiveError.unauthorized(status: status, words: refusal.words)
                    }
                    logger.warning("the platform refused the live connection", metadata: ["reason": "\(refusal)"])
                }
            }
            if acknowledged.isSet { backoff.reset() }
            await backoff.wait(on: options.clock)
        }
    }

    private func connectOnce(attempt: Int, acknowledged: ManagedFlag) async throws {
        var headers = HTTPFields()
        headers[HTTPField.Name("api-key")!] = apiKey
        var config = WebSocketClientConfiguration(
            maxFrameSize: 1 << 20, additionalHeaders: headers, autoPing: .enabled(timePeriod: options.pingPeriod))
        var tls: TLSConfiguration?
        if url.hasPrefix("wss://"), let host = URLComponents(string: url)?.host, Self.isIPAddress(host) {
            // The WebSocket client sends the host as TLS server name, and an IP address is not a
            // valid one: it cannot check a certificate for an IP either.
            guard !tlsVerify else { throw LiveError.certificateForIPAddress(host: host) }
            config.sniHostname = "platform"
        }
        if !tlsVerify {
            var insecure = TLSConfiguration.makeClientConfiguration()
            insecure.certificateVerification = .none
            tls = insecure
        }
        let session = self
        try await WebSocketClient.connect(url: url, configuration: config, tlsConfiguration: tls, logger: logger) { inbound, outbound, _ in
            var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            // The first frame must be connection.ack, within the timeout.
            let first = try await Self.first(&messages, within: session.options.ackTimeout, clock: session.options.clock)
            var decoded: LiveEvent?
            if case .text(let text)? = first { decoded = try? LiveEvent.decode(text) }
            switch decoded {
            case .connectionAck?:
                acknowledged.set()
            case .platformError(let message)?:
                session.logger.error("the platform refused the live connection: \(message)")
                return
            default:
                session.logger.warning("no connection.ack within \(Format.seconds(session.options.ackTimeout.seconds)); reconnecting")
                try await outbound.close(.normalClosure, reason: "no connection.ack")
                return
            }
            try await session.serve(&messages, outbound: outbound, attempt: attempt)
        }
    }

    /// Reads frames without pause, so pings and pongs flow however long an event takes, while
    /// one task applies the events in arrival order and answers them.
    private func serve(
        _ messages: inout WebSocketInboundMessageStream.AsyncIterator, outbound: WebSocketOutboundWriter, attempt: Int
    ) async throws {
        let (handler, logger, options, onSync) = (self.handler, self.logger, self.options, self.onSync)
        let (events, queue) = AsyncStream.makeStream(of: LiveEvent.self)
        let backlog = LiveBacklog()
        let counters = LiveCounters()
        let deferred = DeferredAcks()
        let heal = HealScheduler(delay: options.healDelay, clock: options.clock) {
            await onSync(.heal)
            for ack in await deferred.resolve({ try await handler.store.artifact(uuid: $0)?.summary }) {
                try? await outbound.write(.text(ack.frame))
            }
            return await !deferred.isEmpty
        }
        defer { logger.info("live connection ended", metadata: counters.metadata) }
        // The sync after connecting and the heals run beside the connection and end with it.
        try await withThrowingDiscardingTaskGroup { beside in
            beside.addTask { await onSync(.connected(attempt: attempt)) }
            beside.addTask { await heal.run() }
            try await withThrowingDiscardingTaskGroup { applying in
                applying.addTask {
                    for await event in events {
                        backlog.applied()
                        await Self.apply(event, handler: handler, outbound: outbound, deferred: deferred, heal: heal, logger: logger)
                    }
                }
                // Events already received are still applied (their acks may no longer reach the
                // platform); on shutdown, the one in progress is abandoned.
                let failure = await read(&messages, into: queue, backlog: backlog, counters: counters, outbound: outbound)
                queue.finish()
                if failure is CancellationError { applying.cancelAll() }
                if let failure { throw failure }
            }
            beside.cancelAll()
        }
    }

    /// Reads frames into `queue` until the connection ends; returns why it ended, nil when the
    /// platform closed it.
    private func read(
        _ messages: inout WebSocketInboundMessageStream.AsyncIterator, into queue: AsyncStream<LiveEvent>.Continuation,
        backlog: LiveBacklog, counters: LiveCounters, outbound: WebSocketOutboundWriter
    ) async -> (any Error)? {
        var failure: Error?
        do {
            while let message = try await messages.next() {
                guard case .text(let frame) = message else { continue }
                let event: LiveEvent
                do {
                    event = try LiveEvent.decode(frame)
                } catch {
                    // Logged and ignored: one bad frame must not cost the connection.
                    logger.warning("live frame ignored", metadata: ["reason": "\(error)"])
                    continue
                }
                counters.count(event)
                switch event {
                case .ignored, .connectionAck:
                    continue
                case .platformError(let message):
                    logger.error("the platform reported an error on the live connection: \(message)")
                    continue
                default:
                    break
                }
                guard backlog.received() <= options.maxBacklog else {
                    logger.error("more than \(options.maxBacklog) live events wait to be applied; reconnecting (the sync after it catches up)")
                    try await outbound.close(.goingAway, reason: "backlog")
                    break
                }
                queue.yield(event)
            }
        } catch {
            failure = error
        }
        return failure
    }

    private static func apply(
        _ event: LiveEvent, handler: LiveEventHandler, outbound: WebSocketOutboundWriter, deferred: DeferredAcks, heal: HealScheduler,
        logger: Logger
    ) async {
        let outcome: LiveOutcome
        do {
            outcome = try await handler.handle(event)
        } catch is CancellationError {
            return
        } catch {
            logger.error("live event not applied; a sync heals it shortly", metadata: ["error": "\(error)"])
            heal.request()
            return
        }
        switch outcome {
        case .none:
            break
        case .ack(let ack):
            do { try await outbound.write(.text(ack.frame)) } catch { logger.warning("deployment.ack not sent: the connection closed") }
        case .deferred(let action, let deploy):
            await deferred.add(action, deploy: deploy)
            heal.request()
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }

    /// The next message, or nil after `timeout`.
    static func first(
        _ iterator: inout WebSocketInboundMessageStream.AsyncIterator, within timeout: Duration, clock: any Clock<Duration>
    ) async throws -> WebSocketMessage? {
        nonisolated(unsafe) var it = iterator
        let result: WebSocketMessage?? = try await withThrowingTaskGroup(of: WebSocketMessage??.self) { group in
            group.addTask { try await it.next() }
            group.addTask {
                try await clock.sleep(for: timeout)
                return .some(nil)
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        iterator = it
        return result ?? nil
    }
}
