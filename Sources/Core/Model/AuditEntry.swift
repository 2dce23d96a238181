/// Who is acting: the OS user and the SSH client address, never a secret.
public struct Actor: Sendable, Equatable {
    public var user: String
    public var clientAddress: String?

    public init(user: String, clientAddress: String?) {
        self.user = user
        self.clientAddress = clientAddress
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
