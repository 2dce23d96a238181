import Core
import Foundation

/// What a local account without good intentions does to the control socket: connections that
/// trickle a request a header line at a time, and a flood of connections held without a byte.
/// Run as that account (`gwops-campaign hostile-clients`, under setpriv) by the system tests and
/// `gwops-bench socket-latency --hostile`. One thread, non-blocking sockets, `poll`.
public struct HostileClients: Codable, Sendable {
    /// Connections kept open, each sending one header line every `interval` seconds (reopened
    /// when the server closes one).
    public var trickle = 0
    public var interval = 10.0
    /// Connection attempts made at once, then held without sending anything.
    public var flood = 0
    /// How long to keep at it, in seconds.
    public var duration = 10.0

    public init(trickle: Int = 0, interval: Double = 10, flood: Int = 0, duration: Double = 10) {
        self.trickle = trickle
        self.interval = interval
        self.flood = flood
        self.duration = duration
    }

    /// What the socket did to them.
    public struct Report: Codable, Sendable, Equatable {
        public var connected = 0
        /// Connects that failed, by errno name.
        public var connectFailures: [String: Int] = [:]
        /// Connections the server closed.
        public var closedByServer = 0
        /// The status lines the server answered with, by status code.
        public var answers: [String: Int] = [:]
        /// The most connections held open at once.
        public var mostHeld = 0
        public var heldAtEnd = 0
    }

    private final class Connection {
        let fd: Int32
        let trickles: Bool
        var lastSent: ContinuousClock.Instant
        var lines = 0
        var received: [UInt8] = []

        init(fd: Int32, trickles: Bool, now: ContinuousClock.Instant) {
            self.fd = fd
            self.trickles = trickles
            self.lastSent = now
        }
    }

    /// Runs against the socket at `path` for `duration`.
    public func run(path: String) -> Report {
        OpenFiles.raiseToHardLimit()
        var report = Report()
        var open: [Int32: Connection] = [:]
        var attempts = 0
        let start = ContinuousClock.now
        let end = start + .milliseconds(Int64(duration * 1000))
        let period = Duration.milliseconds(Int64(interval * 1000))
        defer { for fd in open.keys { close(fd) } }

        func connectOne(trickles: Bool) -> Bool {
            switch UnixSocket.open(path, nonBlocking: true) {
            case .failure(let errno):
                report.connectFailures[Self.errnoName(errno), default: 0] += 1
                return false
            case .success(let fd):
                report.connected += 1
                let connection = Connection(fd: fd, trickles: trickles, now: .now)
                open[fd] = connection
                if trickles { Self.send(fd, "GET /v1/status HTTP/1.1\r\nHost: gwops\r\n") }
                return true
            }
        }

        while ContinuousClock.now < end {
            // The trickling ones, reopened as the server closes them
            var trickling = open.values.filter(\.trickles).count
            while trickling < trickle, connectOne(trickles: true) { trickling += 1 }
            while attempts < flood {
                attempts += 1
                _ = connectOne(trickles: false)
            }
            report.mostHeld = max(report.mostHeld, open.count)

            var fds = open.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            _ = poll(&fds, nfds_t(fds.count), 100)
            for entry in fds where entry.revents != 0 {
                guard let connection = open[entry.fd] else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = read(entry.fd, &buffer, buffer.count)
                if n > 0 {
                    if connection.received.count < 4096 { connection.received += buffer[0..<n] }
                    continue
                }
                report.closedByServer += 1
                if let status = Self.status(connection.received) { report.answers[status, default: 0] += 1 }
                close(entry.fd)
                open[entry.fd] = nil
            }
            let now = ContinuousClock.now
            for connection in open.values where connection.trickles && now - connection.lastSent >= period {
                connection.lines += 1
                connection.lastSent = now
                Self.send(connection.fd, "X-Trickle-\(connection.lines): still coming\r\n")
            }
        }
        report.heldAtEnd = open.count
        return report
    }

    static func errnoName(_ e: UnixSocket.Errno) -> String {
        switch e.code {
        case EAGAIN: "EAGAIN"
        case ECONNREFUSED: "ECONNREFUSED"
        case ENOENT: "ENOENT"
        case EMFILE: "EMFILE"
        case EACCES: "EACCES"
        default: "errno \(e.code)"
        }
    }

    static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// "403" from "HTTP/1.1 403 Forbidden…".
    static func status(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes.prefix(32), as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 ") else { return nil }
        return String(text.dropFirst(9).prefix(3))
    }
}
