#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a caller of the control socket may do (DESIGN §9).
public enum Role: String, Sendable, Codable, Equatable, Comparable {
    /// Watches: every read, no action.
    case viewer
    /// Watches and acts: syncs and orphan decisions.
    case `operator`

    public static func < (a: Role, b: Role) -> Bool { a == .viewer && b == .operator }
}

/// Who is at the other end of the control socket: uid, gid and pid from the kernel
/// (`SO_PEERCRED`), the name and groups from the system databases. Never what the client says.
public struct PeerIdentity: Sendable, Codable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    /// The login name, or `uid N` for an account the password database does not know.
    public var user: String
    /// Names of the primary and supplementary groups.
    public var groups: [String]

    public init(uid: UInt32, gid: UInt32, pid: Int32, user: String, groups: [String]) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.user = user
        self.groups = groups
    }

    /// Looks up the name and groups of a peer the kernel named.
    public static func lookUp(uid: UInt32, gid: UInt32, pid: Int32) -> PeerIdentity {
        let name = FileAccess.knownUserName(uid)
        return PeerIdentity(
            uid: uid, gid: gid, pid: pid, user: name ?? "uid \(uid)", groups: SystemGroups.names(user: name, gid: gid))
    }

    /// The caller as the audit log records it: the name, the kernel's ids, and the client address
    /// it claims (from its `SSH_CONNECTION`).
    public func actor(claimedClientAddress: String?) -> Principal {
        Principal(user: user, clientAddress: claimedClientAddress, peer: "uid \(uid), pid \(pid), control socket")
    }
}

/// `[access]`: which groups watch and which act. Root and the controller's own account always act.
public struct AccessPolicy: Sendable, Equatable {
    public var viewers: [String]
    public var operators: [String]
    /// The account the controller runs as.
    public var serviceUID: UInt32

    public init(viewers: [String], operators: [String], serviceUID: UInt32) {
        self.viewers = viewers
        self.operators = operators
        self.serviceUID = serviceUID
    }

    /// The role of `peer`, or nil when it may not even watch.
    public func role(of peer: PeerIdentity) -> Role? {
        if peer.uid == 0 || peer.uid == serviceUID { return .operator }
        if peer.groups.contains(where: operators.contains) { return .operator }
        if peer.groups.contains(where: viewers.contains) { return .viewer }
        return nil
    }

    /// Why `peer` (no role) may not use the socket, in words.
    public func refusalToWatch(_ peer: PeerIdentity) -> String {
        let groups = viewers + operators
        let wanted = groups.isEmpty ? "no group is configured in [access]" : "viewers and operators are members of \(Self.list(groups))"
        return "\(peer.user) may not use this gateway's control socket: \(wanted) (\(peer.user) is in \(Self.list(peer.groups, empty: "no group")))"
    }

    /// Why a viewer may not act, in words: "alice is a viewer; operators are members of gwops-ops".
    public func refusalToAct(_ peer: PeerIdentity, action: String) -> String {
        let operators = operators.isEmpty ? "only root and the service account act" : "operators are members of \(Self.list(operators))"
        return "\(peer.user) is a viewer and may not \(action); \(operators)"
    }

    static func list(_ names: [String], empty: String = "none") -> String {
        switch names.count {
        case 0: empty
        case 1: names[0]
        default: names.dropLast().joined(separator: ", ") + " or " + names.last!
        }
    }
}

/// Group names from the group database.
enum SystemGroups {
    /// The primary group `gid` and every supplementary group of `user`, by name.
    static func names(user: String?, gid: UInt32) -> [String] {
        var ids: [gid_t] = [gid]
        if let user {
            var count: Int32 = 64
            var buffer = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(user, gid, &buffer, &count) == -1 {
                buffer = [gid_t](repeating: 0, count: Int(count))
                _ = getgrouplist(user, gid, &buffer, &count)
            }
            ids = Array(buffer.prefix(Int(max(0, count))))
        }
        var seen = Set<String>()
        return ids.compactMap(name(of:)).filter { seen.insert($0).inserted }
    }

    static func name(of gid: gid_t) -> String? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, let found = result, let name = found.pointee.gr_name else {
            return nil
        }
        return String(validatingCString: name)
    }
}
