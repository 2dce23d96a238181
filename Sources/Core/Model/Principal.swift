/// Who is acting: the OS user and the SSH client address, never a secret.
public struct Principal: Sendable, Codable, Equatable {
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
    public static func current(environment: [String: String]) -> Principal {
        let user = environment["USER"] ?? environment["LOGNAME"] ?? currentUserName() ?? "uid-\(currentUID())"
        let client = environment["SSH_CONNECTION"]?.split(separator: " ").first.map(String.init)
        return Principal(user: user, clientAddress: client)
    }

    /// `user@address` or just `user`.
    public var display: String { clientAddress.map { "\(user)@\($0)" } ?? user }
}
