import Foundation
import HTTPTypes
import Logging
internal import WSClient

/// Why the live path stopped for good.
public enum LiveError: Error, Equatable, CustomStringConvertible {
    /// The platform refused the api-key (401/403): retrying cannot help.
    case unauthorized(status: Int)

    public var description: String {
        switch self {
        case .unauthorized(let status):
            "the platform refused the live connection (\(status)): check [platform] api_key_file / api_key_env"
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
    public var minBackoff: Duration = .seconds(1)
    public var maxBackoff: Duration = .seconds(300)
    /// A live event that could not be applied (the store was down, the archive fetch failed) is
    /// healed by a sync this long after, one for all the failures in between.
    public var healDelay: Duration = .seconds(2)

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
    let handler: LiveEventHandler
    let platform: any PlatformAPI
    let options: LiveOptions
    let logger: Logger
    let onSync: @Sendable (LiveSyncReason) async -> Void

    public init(
        platformURL: String, apiKey: String, handler: LiveEventHandler, platform: any PlatformAPI, options: LiveOptions = LiveOptions(),
        logger: Logger = .silent("gwops.live"), onSync: @escaping @Sendable (LiveSyncReason) async -> Void
    ) {
        var base = platformURL
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/api/internal/v1") { base += "/api/internal/v1" }
        if base.hasPrefix("https://") { base = "wss://" + base.dropFirst(8) } else if base.hasPrefix("http://") { base = "ws://" + base.dropFirst(7) }
        self.url = base + "/ws/gateways/connect"
        self.apiKey = apiKey
        self.handler = handler
        self.platform = platform
        self.options = options
        self.logger = logger
        self.onSync = onSync
    }

    /// Runs until cancelled; throws only `LiveError.unauthorized`.
    public func run() async throws {
        var backoff = options.minBackoff
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            let acknowledged = ManagedFlag()
            do {
                try await connectOnce(attempt: attempt, acknowledged: acknowledged)
                logger.info("live connection closed", metadata: ["attempt": "\(attempt)"])
            } catch is CancellationError {
                return
            } catch {
                logger.warning("live connection failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                if let status = await authorizationFailure() { throw LiveError.unauthorized(status: status) }
            }
            if acknowledged.isSet { backoff = options.minBackoff }
            let jitter = Double.random(in: 0.5...1.0)
            try? await Task.sleep(for: backoff * jitter)
            backoff = min(options.maxBackoff, backoff * 2)
        }
    }

    /// A failed upgrade says nothing about why: ask an ordinary endpoint with the same key.
    private func authorizationFailure() async -> Int? {
        do {
            _ = try await platform.listDeployments(since: Timestamp.now.adding(seconds: 86_400))
            return nil
        } catch let error as PlatformError {
            if let status = error.status, status == 401 || status == 403 { return status }
            return nil
        } catch {
            return nil
        }
    }

    private func connectOnce(attempt: Int, acknowledged: ManagedFlag) async throws {
        var headers = HTTPFields()
        headers[HTTPField.Name("api-key")!] = apiKey
        let config = WebSocketClientConfiguration(
            maxFrameSize: 1 << 20, additionalHeaders: headers, autoPing: .enabled(timePeriod: options.pingPeriod))
        let (handler, logger, options, onSync) = (self.handler, self.logger, self.options, self.onSync)
        try await WebSocketClient.connect(url: url, configuration: config, logger: logger) { inbound, outbound, _ in
            var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            // The first frame must be connection.ack, within the timeout.
            let first = try await Self.first(&messages, within: options.ackTimeout)
            guard case .text(let text)? = first, case .connectionAck? = try? LiveEvent.decode(text) else {
                logger.warning("no connection.ack within \(Format.seconds(options.ackTimeout.seconds)); reconnecting")
                try await outbound.close(.normalClosure, reason: "no connection.ack")
                return
            }
            acknowledged.set()
            let sync = Task { await onSync(.connected(attempt: attempt)) }
            let heal = HealScheduler(delay: options.healDelay) { await onSync(.heal) }
            defer {
                sync.cancel()
                Task { await heal.cancel() }
            }
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
                do {
                    let ack = try await handler.handle(event)
                    if ack?.errorCode == "FETCH_FAILED" { await heal.request() }
                    if let ack { try await outbound.write(.text(ack.frame)) }
                } catch is CancellationError {
                    return  // shutting down
                } catch {
                    logger.error("live event not applied; a sync heals it shortly", metadata: ["error": "\(error)"])
                    await heal.request()
                }
            }
        }
    }

    /// The next message, or nil after `timeout`.
    static func first(_ iterator: inout WebSocketInboundMessageStream.AsyncIterator, within timeout: Duration) async throws -> WebSocketMessage? {
        nonisolated(unsafe) var it = iterator
        let result: WebSocketMessage?? = try await withThrowingTaskGroup(of: WebSocketMessage??.self) { group in
            group.addTask { try await it.next() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return .some(nil)
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        iterator = it
        return result ?? nil
    }
}

/// A flag set from inside the connection handler.
final class ManagedFlag: @unchecked Sendable {
    // @unchecked: set once by the handler, read after it returned; the lock orders both.
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Runs `heal` once, `delay` after the first request; requests while one is pending join it.
actor HealScheduler {
    private let delay: Duration
    private let heal: @Sendable () async -> Void
    private var pending: Task<Void, Never>?

    init(delay: Duration, heal: @escaping @Sendable () async -> Void) {
        self.delay = delay
        self.heal = heal
    }

    func request() {
        guard pending == nil else { return }
        pending = Task {
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            self.started()
            await heal()
        }
    }

    func cancel() { pending?.cancel() }

    private func started() { pending = nil }
}
