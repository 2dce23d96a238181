import Foundation
import Synchronization

/// A throwaway PostgreSQL 15 cluster for tests: `initdb` into a short temporary directory, then
/// `postgres` as a direct child (never `pg_ctl`: its daemon keeps a descriptor that makes waiting
/// hang) on a free loopback port, as the `postgres` user when running as root. One per test
/// process, started on first use and stopped when the process exits.
public final class PostgresServer: Sendable {
    public static let binDirectory = ProcessInfo.processInfo.environment["GWOPS_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"

    public let port: Int
    public let directory: String
    let pid: pid_t

    /// Whether PostgreSQL binaries are installed (tests on it fail, not skip, in CI).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binDirectory + "/postgres") }

    private static let shared = Mutex<Result<PostgresServer, Error>?>(nil)

    /// The process-wide server, started on first use.
    public static func start() throws -> PostgresServer {
        try shared.withLock { slot in
            if let existing = slot { return try existing.get() }
            let result = Result { try PostgresServer(launching: ()) }
            slot = result
            if case .success(let server) = result { stopAtExit(server.pid, directory: server.directory) }
            return try result.get()
        }
    }

    private init(launching: Void) throws {
        let dir = "/tmp/gwpg-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        var prefix: [String] = []
        if asRoot {
            guard let pw = getpwnam("postgres") else { throw HarnessError.process("running as root but there is no postgres user") }
            chown(dir, pw.pointee.pw_uid, pw.pointee.pw_gid)
            prefix = ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        }
        let env = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        let initdb = try ChildProcess.run(
            prefix + [Self.binDirectory + "/initdb", "-D", dir + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync", "--no-instructions"],
            environment: env, stdout: "/dev/null", stderr: dir + "-initdb.log")
        guard initdb == 0 else {
            let log = (try? String(contentsOfFile: dir + "-initdb.log", encoding: .utf8)) ?? ""
            throw HarnessError.process("initdb failed (\(initdb)): \(log.suffix(500))")
        }
        let port = try Self.freePort()
        pid = try ChildProcess.spawn(
            prefix + [Self.binDirectory + "/postgres", "-D", dir + "/data", "-k", dir, "-p", String(port),
                      "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                      "-c", "max_connections=200"],
            environment: env, stdout: "/dev/null", stderr: dir + "-postgres.log")
        self.port = port
        directory = dir
        try Self.waitForConnections(port: port, pid: pid, log: dir + "-postgres.log")
    }

    /// A loopback port nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw HarnessError.process("cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Retries a TCP connect every 25 ms until the server accepts (or died, or 30 s passed).
    static func waitForConnections(port: Int, pid: pid_t, log: String) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw HarnessError.process("postgres exited during start: \(text.suffix(800))")
            }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = UInt16(port).bigEndian
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            // Accepting TCP is not yet accepting queries; give recovery a moment.
            if ok { usleep(100_000); return }
            usleep(25_000)
        }
        throw HarnessError.process("postgres did not accept connections on \(port) within 30 s")
    }

    /// `postgres://postgres@127.0.0.1:PORT/DB`
    public func url(database: String) -> String { "postgres://postgres@127.0.0.1:\(port)/\(database)" }

    private static let atExitTarget = Mutex<(pid_t, String)?>(nil)

    private static func stopAtExit(_ pid: pid_t, directory: String) {
        atExitTarget.withLock { $0 = (pid, directory) }
        atexit {
            guard let (pid, dir) = PostgresServer.atExitTarget.withLock({ $0 }) else { return }
            kill(pid, SIGINT)
            var status: Int32 = 0
            for _ in 0..<200 where waitpid(pid, &status, WNOHANG) != pid { usleep(10_000) }
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: dir + "-initdb.log")
            try? FileManager.default.removeItem(atPath: dir + "-postgres.log")
        }
    }
}
