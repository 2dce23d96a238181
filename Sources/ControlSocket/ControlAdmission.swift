import Core
import Logging
import Synchronization

/// How many connections the control socket serves, and to whom (RELIABILITY.md, "The control
/// socket"). The socket is open to every local account; these keep any one of them from taking
/// it away from the operators.
public struct ControlLimits: Sendable, Equatable {
    /// Connections served at once.
    public var maxConnections: Int
    /// Of those, the ones only operators (and root) may take: viewers never fill the socket.
    public var reservedForOperators: Int
    /// Connections one account may hold at once (root excepted): `[control] max_connections_per_user`.
    public var perAccount: Int
    /// A request must arrive whole (head and body) within this of its first byte; a trickle of
    /// bytes does not extend it. The event stream's answer is not a request: it is not limited.
    public var requestDeadline: Duration
    /// Longest a kept-alive connection may sit between requests.
    public var idleTimeout: Duration
    /// Refused connections waiting (up to `refusalLinger`) for their request before hearing why;
    /// more are closed without a word.
    public var maxLingering: Int
    public var refusalLinger: Duration

    public init(
        maxConnections: Int = 256, reservedForOperators: Int? = nil, perAccount: Int = GwopsConfig.Control().maxConnectionsPerUser,
        requestDeadline: Duration = .seconds(5), idleTimeout: Duration = .seconds(30), maxLingering: Int = 256,
        refusalLinger: Duration = .seconds(1)
    ) {
        self.maxConnections = maxConnections
        self.reservedForOperators = reservedForOperators ?? max(1, maxConnections / 8)
        self.perAccount = perAccount
        self.requestDeadline = requestDeadline
        self.idleTimeout = idleTimeout
        self.maxLingering = maxLingering
        self.refusalLinger = refusalLinger
    }
}

/// Why the socket closed a connection without serving it (`gwops_control_refused_total{reason}`).
public enum RefusalReason: String, Sendable, CaseIterable {
    /// The account has no role in `[access]`.
    case noRole = "no_role"
    /// The kernel did not name the peer.
    case noCredentials = "no_credentials"
    /// The account holds `perAccount` connections already.
    case accountLimit = "account_limit"
    /// Every connection its role may take is taken.
    case full
    /// Its request did not arrive whole within the deadline.
    case requestDeadline = "request_deadline"
}

/// What the socket is doing, for the metrics.
public struct ControlSocketStats: Sendable, Equatable {
    /// Connections served now, by role.
    public var connections: [Role: Int] = [:]
    /// Connections closed unserved since the controller started, by reason.
    public var refused: [RefusalReason: Int] = [:]
}

/// Who gets a connection, decided at accept from the kernel's word on the peer: an account
/// without a role never holds one, one account never holds more than its share, and viewers
/// never take the operators' reserve. Counts what it admits until the connection closes.
final class ControlAdmission: Sendable {
    /// A connection admitted: released when it closes.
    struct Ticket: Sendable {
        var uid: UInt32
        var user: String
        var role: Role
    }

    enum Verdict: Sendable {
        case admitted(Ticket)
        case refused(Refusal)
    }

    /// A refusal as the client reads it.
    struct Refusal: Sendable {
        var reason: RefusalReason
        /// 403, 429 or 503.
        var status: Int
        var sentence: String
    }

    private struct State {
        var open = 0
        var byAccount: [UInt32: Int] = [:]
        var stats = ControlSocketStats()
        var lingering = 0
    }

    let limits: ControlLimits
    let policy: AccessPolicy
    private let state = Mutex(State())
    private let log: RateLimitedLog

    init(limits: ControlLimits, policy: AccessPolicy, logger: Logger) {
        self.limits = limits
        self.policy = policy
        self.log = RateLimitedLog(logger: logger)
    }

    var stats: ControlSocketStats { state.withLock { $0.stats } }

    /// The verdict on a peer the kernel named (nil: it did not).
    func admit(_ peer: PeerIdentity?) -> Verdict {
        guard let peer else {
            return refuse(.noCredentials, 403, "the control socket could not tell who is asking (no peer credentials)", account: "unknown")
        }
        guard let role = policy.role(of: peer) else {
            return refuse(.noRole, 403, policy.refusalToWatch(peer), account: peer.user)
        }
        let limits = limits
        let refusal = state.withLock { s -> Refusal? in
            let held = s.byAccount[peer.uid, default: 0]
            if peer.uid != 0, held >= limits.perAccount {
                return Refusal(
                    reason: .accountLimit, status: 429,
                    sentence: "\(peer.user) holds \(held) connections to this control socket, the most one account may "
                        + "([control] max_connections_per_user = \(limits.perAccount)); close a console or raise the limit")
            }
            let open = role == .operator ? limits.maxConnections : limits.maxConnections - limits.reservedForOperators
            if s.open >= open {
                let whose = role == .operator ? "" : " a viewer may take (\(limits.reservedForOperators) are kept for operators)"
                return Refusal(
                    reason: .full, status: 503,
                    sentence: "the control socket serves \(s.open) connections, all\(whose); try again when some close")
            }
            s.open += 1
            s.byAccount[peer.uid] = held + 1
            s.stats.connections[role, default: 0] += 1
            return nil
        }
        if let refusal { return refused(refusal, account: peer.user) }
        return .admitted(Ticket(uid: peer.uid, user: peer.user, role: role))
    }

    /// The admitted connection closed.
    func release(_ ticket: Ticket) {
        state.withLock { s in
            s.open -= 1
            let held = s.byAccount[ticket.uid, default: 1] - 1
            s.byAccount[ticket.uid] = held > 0 ? held : nil
            s.stats.connections[ticket.role, default: 1] -= 1
        }
    }

    /// The admitted connection was closed because its request did not arrive in time.
    func requestExpired(_ ticket: Ticket) {
        count(.requestDeadline)
        log.notice(
            "control socket connection closed: its request did not arrive within \(Format.seconds(limits.requestDeadline.seconds))",
            reason: .requestDeadline, account: ticket.user)
    }

    /// Whether a refused connection may wait for its request to hear why (else it is closed).
    func startLingering() -> Bool {
        state.withLock { s in
            guard s.lingering < limits.maxLingering else { return false }
            s.lingering += 1
            return true
        }
    }

    func stopLingering() { state.withLock { $0.lingering -= 1 } }

    private func refuse(_ reason: RefusalReason, _ status: Int, _ sentence: String, account: String) -> Verdict {
        refused(Refusal(reason: reason, status: status, sentence: sentence), account: account)
    }

    private func refused(_ refusal: Refusal, account: String) -> Verdict {
        count(refusal.reason)
        log.notice("control socket connection refused: \(refusal.sentence)", reason: refusal.reason, account: account)
        return .refused(refusal)
    }

    private func count(_ reason: RefusalReason) {
        state.withLock { $0.stats.refused[reason, default: 0] += 1 }
    }
}

/// A log line per account and reason at most once a `period`; the ones held back are counted
/// in the next. A flood of refusals is then a line a minute, not a full disk.
struct RateLimitedLog: Sendable {
    let logger: Logger
    let throttle: Throttle

    init(logger: Logger, period: Duration = .seconds(60)) {
        self.logger = logger
        self.throttle = Throttle(period: period)
    }

    func notice(_ message: String, reason: RefusalReason, account: String) {
        guard let held = throttle.pass("\(reason.rawValue) \(account)") else { return }
        var metadata: Logger.Metadata = ["account": "\(account)", "reason": "\(reason.rawValue)"]
        if held > 0 { metadata["more_since_last_line"] = "\(held)" }
        logger.notice("\(message)", metadata: metadata)
    }
}
