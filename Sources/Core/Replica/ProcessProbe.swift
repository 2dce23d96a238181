import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about local processes.
public enum ProcessProbe {
    /// True when a process with this pid exists on this host.
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    public static var currentPID: Int32 { getpid() }

    /// Identifies this host and PID namespace: two processes with the same identity can see each
    /// other's PIDs, so a dead lease holder can be recognised. Containers sharing a host name but
    /// not a PID namespace get different identities.
    public static var hostIdentity: String {
        var parts = [hostName]
        if let boot = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) {
            parts.append(String(boot.trimmingCharacters(in: .whitespacesAndNewlines).prefix(8)))
        }
        var buffer = [CChar](repeating: 0, count: 128)
        let n = readlink("/proc/self/ns/pid", &buffer, buffer.count - 1)
        if n > 0 {
            parts.append(String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.joined(separator: "/")
    }

    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
