/// Who is acting: the OS user and the SSH client address, never a secret.
public struct Actor: Sendable, Codable, Equatable {
    public var user: String
    /// The address the client says it comes from (`SSH_CONNECTION`): claimed, not checked.
    public var clientAddress: String?
    /// What the kernel says of a control-socket caller (`uid 1001, pid 4242, control socket`);
    /// nil for a command run directly on the store.
    public var peer: String?

    public init(user: String, clientAddress: String?, peer: String? = nil) {
        self.user = user
        self.clientAddress = clientAddress
        self.peer = peer
    }

    /// The current OS user and `SSH_CONNECTION`'s client address.
    public static func current(environment: [String: String]) -> Actor {
        let user = environment["USER"] ?? environment["LOGNAME"] ?? currentUserName() ?? "uid-\(currentUID())"
        let client = environment["SSH_CONNECTION"]?.split(separator: " ").first.map(String.init)
        return Actor(user: user, clientAddress: client)
    }

    /// `user@address` or just `user`.
    public var display: String { clientAddress.map { "\(user)@\($0)" } ?? user }
}

/// One row of `audit_log`.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Timestamp
    public var actor: Actor
    public var action: String
    public var target: String
    public var outcome: String
    public var detail: String?

    public init(id: Int64, at: Timestamp, actor: Actor, action: String, target: String, outcome: String, detail: String?) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.detail = detail
    }
}
