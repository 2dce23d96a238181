import Core
import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import NIOPosix
import Synchronization

/// The control socket's connections: each is admitted or refused at accept, from the peer's
/// credentials (`ControlAdmission`). An admitted one is served over HTTP/1, its requests under a
/// deadline; a refused one is answered why and closed, holding no slot.
struct AdmittingChannel: ServerChildChannel {
    enum Value: ServerChildChannelValue {
        case admitted(HTTP1Channel.Value)
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .admitted(let inner): inner.channel
            case .refused(let channel): channel
            }
        }
    }

    let http: HTTP1Channel
    let admission: ControlAdmission
    let directory: PeerDirectory

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let (admission, http) = (admission, http)
        return PeerCredentials.request(channel)
            .flatMap { credentials in self.directory.identity(credentials, on: channel.eventLoop) }
            .flatMapErrorThrowing { _ in nil }
            .flatMap { peer -> EventLoopFuture<Value> in
                switch admission.admit(peer) {
                case .admitted(let ticket):
                    channel.closeFuture.whenComplete { _ in admission.release(ticket) }
                    do {
                        // First in the pipeline: it sees the bytes before HTTP does.
                        try channel.pipeline.syncOperations.addHandler(
                            RequestDeadline(limit: admission.limits.requestDeadline) { admission.requestExpired(ticket) }, position: .first)
                    } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                    return http.setup(channel: channel, logger: logger).map { .admitted($0) }
                case .refused(let refusal):
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            RefusalHandler(refusal: refusal, lingers: admission.startLingering(), linger: admission.limits.refusalLinger) {
                                admission.stopLingering()
                            })
                        return .refused(channel)
                    }
                }
            }
    }

    func handle(value: Value, logger: Logger) async {
        // A refused connection is its handler's to close.
        if case .admitted(let inner) = value { await http.handle(value: inner, logger: logger) }
    }
}

/// Names and groups of the accounts that connect, from the system databases (looked up off the
/// event loop: NSS may ask a network directory), kept briefly so a flood of connections from one
/// account costs one lookup.
final class PeerDirectory: Sendable {
    private struct Entry {
        var user: String
        var groups: [String]
        var until: ContinuousClock.Instant
    }

    let keep: Duration
    private let entries = Mutex([UInt64: Entry]())

    init(keep: Duration = .seconds(10)) { self.keep = keep }

    func identity(_ c: PeerCredentials.UCred, on loop: any EventLoop) -> EventLoopFuture<PeerIdentity?> {
        let key = UInt64(c.uid) << 32 | UInt64(c.gid)
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[key] }), hit.until > now {
            return loop.makeSucceededFuture(PeerIdentity(uid: c.uid, gid: c.gid, pid: c.pid, user: hit.user, groups: hit.groups))
        }
        return NIOThreadPool.singleton.runIfActive(eventLoop: loop) {
            let peer = PeerIdentity.lookUp(uid: c.uid, gid: c.gid, pid: c.pid)
            self.remember(peer, key: key)
            return peer
        }
    }

    private func remember(_ peer: PeerIdentity, key: UInt64) {
        let until = ContinuousClock.now + keep
        entries.withLock { entries in
            if entries.count > 4096 { entries.removeAll() }
            entries[key] = Entry(user: peer.user, groups: peer.groups, until: until)
        }
    }
}

/// Closes a connection whose request has not arrived whole `limit` after its first byte: bytes
/// arm the deadline; the request's end, as the HTTP decoder behind it reads it (`RequestArrival`),
/// or the server's answer disarms it; the next request's first byte arms it again. A client
/// sending a header line every few seconds cannot hold a connection; a request the controller
/// takes long to answer, or the event stream's long answer, is never cut.
final class RequestDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    /// Sent towards the socket by `RequestArrival` when a request has arrived whole.
    struct Arrived {}

    let limit: Duration
    let onExpiry: @Sendable () -> Void
    private var timer: Scheduled<Void>?

    init(limit: Duration, onExpiry: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.onExpiry = onExpiry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if timer == nil {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let onExpiry = onExpiry
            timer = context.eventLoop.scheduleTask(in: TimeAmount(limit)) {
                onExpiry()
                bound.value.close(promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        disarm()
        context.write(data, promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is Arrived else { return context.triggerUserOutboundEvent(event, promise: promise) }
        disarm()
        promise?.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

/// Behind the HTTP decoder: tells `RequestDeadline` (in front of it) when a request has arrived.
final class RequestArrival: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { context.triggerUserOutboundEvent(RequestDeadline.Arrived(), promise: nil) }
        context.fireChannelRead(data)
    }
}

/// A refused connection: waits (up to `linger`) for its request to arrive whole, answers it with
/// the refusal's status and sentence, and closes. Waiting lets an HTTP client read the answer
/// instead of a connection reset; one that never sends a whole request is closed unanswered.
final class RefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let refusal: ControlAdmission.Refusal
    let lingers: Bool
    let linger: Duration
    let onEnd: @Sendable () -> Void
    private var received = ByteBuffer()
    private var timer: Scheduled<Void>?
    private var answered = false
    private var ended = false

    /// The most of a request read before answering anyway.
    static let maxRequest = ControlWire.maxRequestBody + 16 * 1024

    init(refusal: ControlAdmission.Refusal, lingers: Bool, linger: Duration, onEnd: @escaping @Sendable () -> Void) {
        self.refusal = refusal
        self.lingers = lingers
        self.linger = linger
        self.onEnd = onEnd
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard lingers else {
            ended = true
            context.close(promise: nil)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: TimeAmount(linger)) { bound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        if received.readableBytes >= Self.maxRequest || Self.isWhole(received) { answer(context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client sent all it will (half-closed): answer what arrived.
        if case ChannelEvent.inputClosed = event, !answered { answer(context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { end() }

    private func answer(_ context: ChannelHandlerContext) {
        answered = true
        received = ByteBuffer()
        let body = (try? ControlReply.lineData(ControlWire.ErrorBody(error: refusal.sentence))) ?? Data()
        var head = "HTTP/1.1 \(refusal.status) \(Self.phrase(refusal.status))\r\n"
        head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var buffer = context.channel.allocator.buffer(capacity: head.utf8.count + body.count)
        buffer.writeString(head)
        buffer.writeBytes(body)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in bound.value.close(promise: nil) }
    }

    private func end() {
        timer?.cancel()
        timer = nil
        guard !ended else { return }
        ended = true
        onEnd()
    }

    /// Whether `bytes` hold a request's head and the body its Content-Length announces.
    static func isWhole(_ bytes: ByteBuffer) -> Bool {
        let view = bytes.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else { return false }
        let head = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self).lowercased()
        let length = head.split(separator: "\r\n").lazy
            .compactMap { line -> Int? in
                guard line.hasPrefix("content-length:") else { return nil }
                return Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            }
            .first ?? 0
        return view.distance(from: end.upperBound, to: view.endIndex) >= length
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 403: "Forbidden"
        case 429: "Too Many Requests"
        default: "Service Unavailable"
        }
    }
}
