import Foundation

/// A connected Unix-domain stream socket (raw clients of the control socket in tests and benches).
public enum UnixSocket {
    /// A descriptor connected to `path`; the caller closes it.
    public static func connect(_ path: String) throws -> Int32 {
        switch open(path) {
        case .success(let fd): return fd
        case .failure(let error): throw HarnessError.process("connect \(path): \(String(cString: strerror(error.code)))")
        }
    }

    /// A descriptor connected to `path` (without waiting for room in its accept queue when
    /// `nonBlocking`), or the errno.
    public static func open(_ path: String, nonBlocking: Bool = false) -> Result<Int32, Errno> {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0), 0)
        guard fd >= 0 else { return .failure(Errno(errno)) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
            raw[path.utf8.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let failure = Errno(errno)
            close(fd)
            return .failure(failure)
        }
        return .success(fd)
    }

    public struct Errno: Error {
        public var code: Int32
        init(_ code: Int32) { self.code = code }
    }
}
