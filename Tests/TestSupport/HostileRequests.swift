import Foundation
import PlatformSim
import Synchronization

/// Hostile HTTP for the control socket (`gwops-campaign control-socket`): random bytes, huge
/// headers and URLs, pipelined and half-closed requests, wrong Content-Length, chunked bodies,
/// invalid UTF-8 and JSON, and well-formed actions, generated from a seed.
public struct HostileRequest: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case randomBytes, knownRead, hugeHeader, manyHeaders, hugeURL, pipelined, halfClosed, wrongLength, chunked, badBody, action, odd
    }

    public var kind: Kind
    /// Sent in order, each its own write.
    public var chunks: [[UInt8]]
    /// Shut the sending side after the last chunk.
    public var halfClose: Bool

    static let reads = [
        "/v1/whoami", "/v1/status", "/v1/snapshot", "/v1/events?after=0&limit=10", "/v1/hub", "/v1/dashboard?events=5&lag_window=60",
        "/v1/reviews", "/v1/reviews?status=pending", "/v1/reviews/1", "/v1/runs/1", "/v1/artifacts/nope", "/v1/events/stream?after=0",
    ]
    static let odd = [
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET /v1/status HTTP/0.9\r\n\r\n", "BREW /v1/status HTTP/1.1\r\nHost: x\r\n\r\n",
        "get /v1/status HTTP/1.1\r\nHost: x\r\n\r\n", "GET http://x/v1/status HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/status HTTP/1.1\r\nNo colon here\r\n\r\n", "GET /v1/status HTTP/1.1\nHost: x\n\n",
        "GET /v1/status HTTP/1.1\r\nHost: x\r\n folded: value\r\n\r\n", "GET /v1/status HTTP/1.1\r\nHost: \0x\r\n\r\n",
        "GET /v1/status HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n", "\r\n\r\n\r\n",
        "GET /v1/reviews/%ff%fe%00 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /v1/events?after=-1&limit=999999999999999999999 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/dashboard?events=abc&lag_window=-5 HTTP/1.1\r\nHost: x\r\n\r\n", "DELETE /v1/reviews/1 HTTP/1.1\r\nHost: x\r\n\r\n",
    ]

    /// `count` requests from `seed`, every kind in turn.
    public static func generate(seed: UInt64, count: Int) -> [HostileRequest] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { i in make(Kind.allCases[i % Kind.allCases.count], &rng) }
    }

    static func make(_ kind: Kind, _ rng: inout SeededRandom) -> HostileRequest {
        func text(_ s: String) -> [UInt8] { Array(s.utf8) }
        func get(_ path: String, _ extra: String = "") -> String { "GET \(path) HTTP/1.1\r\nHost: gwops\r\n\(extra)\r\n" }
        let read = reads.randomElement(using: &rng)!
        switch kind {
        case .randomBytes:
            return HostileRequest(kind: kind, chunks: [(0..<Int.random(in: 1...4096, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }], halfClose: Bool.random(using: &rng))
        case .knownRead:
            return HostileRequest(kind: kind, chunks: [text(get(read, "Connection: close\r\n"))], halfClose: false)
        case .hugeHeader:
            let size = [8_000, 100_000, 1_000_000].randomElement(using: &rng)!
            return HostileRequest(kind: kind, chunks: [text(get(read, "X-Huge: \(String(repeating: "h", count: size))\r\n"))], halfClose: false)
        case .manyHeaders:
            let headers = (0..<Int.random(in: 500...3000, using: &rng)).map { "X-H\($0): v\r\n" }.joined()
            return HostileRequest(kind: kind, chunks: [text(get(read, headers))], halfClose: false)
        case .hugeURL:
            let size = [10_000, 200_000, 2_000_000].randomElement(using: &rng)!
            return HostileRequest(kind: kind, chunks: [text(get("/v1/reviews/" + String(repeating: "u", count: size)))], halfClose: false)
        case .pipelined:
            let requests = (0..<Int.random(in: 2...20, using: &rng)).map { _ in
                Bool.random(using: &rng) ? get(reads.randomElement(using: &rng)!) : action(&rng)
            }
            return HostileRequest(kind: kind, chunks: [text(requests.joined())], halfClose: Bool.random(using: &rng))
        case .halfClosed:
            let whole = action(&rng)
            let cut = Int.random(in: 1..<whole.utf8.count, using: &rng)
            return HostileRequest(kind: kind, chunks: [Array(whole.utf8.prefix(cut))], halfClose: true)
        case .wrongLength:
            let body = #"{"decision":"approve","force":true}"#
            let length = [0, 5, body.utf8.count + 100, -1, Int.max].randomElement(using: &rng)!
            let second = Bool.random(using: &rng) ? "Content-Length: 3\r\n" : ""
            let head = "POST /v1/reviews/1/decision HTTP/1.1\r\nHost: gwops\r\nContent-Length: \(length)\r\n\(second)\r\n"
            return HostileRequest(kind: kind, chunks: [text(head), text(body)], halfClose: Bool.random(using: &rng))
        case .chunked:
            let body = [
                "5\r\n{\"dec\r\n1e\r\nision\":\"approve\",\"force\":true}\r\n0\r\n\r\n", "zz\r\nnot hex\r\n0\r\n\r\n",
                "FFFFFFFFFFFFFFFF\r\nx\r\n", "3;ext=1\r\n{}\r\n0\r\n\r\n", "4\r\n{\"a\"\r\n",
            ].randomElement(using: &rng)!
            let both = Bool.random(using: &rng) ? "Content-Length: 10\r\n" : ""
            let head = "POST /v1/reviews/\(Int.random(in: 1...5, using: &rng))/decision HTTP/1.1\r\nHost: gwops\r\nTransfer-Encoding: chunked\r\n\(both)\r\n"
            return HostileRequest(kind: kind, chunks: [text(head), text(body)], halfClose: Bool.random(using: &rng))
        case .badBody:
            let bodies: [[UInt8]] = [
                [0x7B, 0x22, 0x64, 0xFF, 0xFE, 0x22, 0x7D], text(String(repeating: "[", count: 100_000)), text(#"{"decision":1e999999}"#),
                text(#"{"decision":"approve","decision":"reject"}"#), text(#"{"decision":null,"seen":{"status":7}}"#),
                text("{\"decision\":\"" + String(repeating: "\u{1F600}", count: 20_000) + "\"}"), text(#"{"trigger":"startup"}"#),
            ]
            let body = bodies.randomElement(using: &rng)!
            let path = Bool.random(using: &rng) ? "/v1/sync" : "/v1/reviews/1/decision"
            return HostileRequest(
                kind: kind, chunks: [text("POST \(path) HTTP/1.1\r\nHost: gwops\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n") + body],
                halfClose: false)
        case .action:
            return HostileRequest(kind: kind, chunks: [text(action(&rng))], halfClose: false)
        case .odd:
            return HostileRequest(kind: kind, chunks: [text(odd.randomElement(using: &rng)!)], halfClose: Bool.random(using: &rng))
        }
    }

    /// A well-formed action: a sync, or a decision on one of the first reviews.
    static func action(_ rng: inout SeededRandom) -> String {
        let (path, body): (String, String) = if Int.random(in: 0..<4, using: &rng) == 0 {
            ("/v1/sync", #"{"trigger":"cli"}"#)
        } else {
            ("/v1/reviews/\(Int.random(in: 1...5, using: &rng))/decision",
             #"{"decision":"\#(["approve", "reject", "confirm_retention"].randomElement(using: &rng)!)","force":true}"#)
        }
        return "POST \(path) HTTP/1.1\r\nHost: gwops\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// What the socket did with a batch of them.
    public struct Summary: Codable, Sendable {
        public var sent = 0
        /// By the status of the first answer ("none": closed or silent without one).
        public var answers: [String: Int] = [:]
        public var connectFailures = 0
        /// Answers 2xx to an action (a viewer's or a stranger's must never be).
        public var actionsAccepted = 0
    }

    /// Sends each request on its own connection to `path`, `concurrency` at a time; reads what
    /// comes back until the server closes or is silent for `quiet`.
    public static func run(_ requests: [HostileRequest], path: String, concurrency: Int = 4, quiet: Duration = .milliseconds(300)) -> Summary {
        let state = Mutex((next: 0, summary: Summary()))
        DispatchQueue.concurrentPerform(iterations: concurrency) { _ in
            while true {
                let request: HostileRequest? = state.withLock { s in
                    defer { s.next += 1 }
                    return s.next < requests.count ? requests[s.next] : nil
                }
                guard let request else { return }
                let answer = send(request, path: path, quiet: quiet)
                state.withLock { s in
                    s.summary.sent += 1
                    switch answer {
                    case .none: s.summary.connectFailures += 1
                    case .some(let status):
                        s.summary.answers[status ?? "none", default: 0] += 1
                        if request.kind == .action, status?.hasPrefix("2") == true { s.summary.actionsAccepted += 1 }
                    }
                }
            }
        }
        return state.withLock { $0.summary }
    }

    /// nil: could not connect; .some(nil): no answer; else the first answer's status.
    static func send(_ request: HostileRequest, path: String, quiet: Duration) -> String?? {
        guard case .success(let fd) = UnixSocket.open(path, nonBlocking: true) else { return nil }
        defer { close(fd) }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        for chunk in request.chunks {
            _ = chunk.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        if request.halfClose { shutdown(fd, Int32(SHUT_WR)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let end = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < end {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(quiet.components.seconds * 1000 + quiet.components.attoseconds / 1_000_000_000_000_000)) > 0 else { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            if received.count < 64 { received += buffer[0..<n] }
        }
        return .some(HostileClients.status(received))
    }
}
