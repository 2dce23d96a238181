#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Core
import Foundation

/// Why the control socket cannot be served, in words.
public struct ControlSocketError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Claiming the socket's path: one left by a dead controller is replaced; one a live controller
/// serves is an error naming it.
enum SocketPath {
    static func claim(_ path: String) throws {
        let directory = Self.directory(of: path)
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno != ENOENT { throw ControlSocketError("cannot use control socket \(path): \(String(cString: strerror(errno)))") }
            if access(directory, W_OK | X_OK) != 0 {
                throw ControlSocketError(
                    "cannot create control socket \(path): \(directory) \(errno == ENOENT ? "does not exist" : "is not writable for this account") "
                        + "(the systemd unit's RuntimeDirectory=gwops makes /run/gwops; or set [control] socket)")
            }
            return
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ControlSocketError("\(path) exists and is not a socket: move it away or set [control] socket to another path")
        }
        switch probe(path) {
        case .answers(let pid), .queueFull(let pid):
            throw ControlSocketError(
                "another gwops controller\(pid.map { " (pid \($0))" } ?? "") is serving \(path): one controller per socket; "
                    + "give this one its own [control] socket, or stop the other")
        case .nobody:
            unlink(path)  // left by a controller that died without cleaning up
        case .failed(let reason):
            throw ControlSocketError("cannot check control socket \(path): \(reason)")
        }
    }

    static func directory(of path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    /// Where the socket is bound before it is renamed to `path`: beside it, hidden, per process.
    static func privateName(for path: String) -> String {
        "\(directory(of: path))/.\((path as NSString).lastPathComponent).\(getpid())"
    }

    static func release(_ path: String) {
        unlink(path)
    }

    enum Probe {
        case answers(pid: Int32?)
        /// A process listens, but its queue of connections not yet accepted is full.
        case queueFull(pid: Int32?)
        case nobody
        case failed(String)
    }

    /// Connects to `path` without waiting: someone accepting (with its pid), someone listening
    /// whose queue is full, nobody listening, or a failure.
    static func probe(_ path: String) -> Probe {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return .failed(String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return .failed("the path is too long for a socket") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            switch errno {
            case ECONNREFUSED, ENOENT: return .nobody
            case EAGAIN: return .queueFull(pid: nil)
            default: return .failed(String(cString: strerror(errno)))
            }
        }
        var cred = PeerCredentials.UCred()
        var length = socklen_t(MemoryLayout<PeerCredentials.UCred>.size)
        let pid = getsockopt(fd, SOL_SOCKET, PeerCredentials.option, &cred, &length) == 0 ? cred.pid : nil
        return .answers(pid: pid)
    }
}
