import Foundation
import Synchronization

/// A throwaway PostgreSQL 15 cluster for tests and benchmarks: `initdb` into a short temporary
/// directory, then `postgres` as a direct child (never `pg_ctl`: its daemon keeps a descriptor
/// that makes waiting hang) on a free loopback port, as the `postgres` user when running as root.
/// `start()` gives the process-wide shared cluster; `launch()` a dedicated one that can be
/// stopped and restarted. Every cluster is stopped and removed when the process exits.
public final class PostgresServer: Sendable {
    public static let binDirectory = ProcessInfo.processInfo.environment["GWOPS_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"

    /// What a dedicated cluster runs with besides the defaults.
    public struct Options: Sendable {
        /// fsync and synchronous commit on (benchmarks); off for tests, which only need semantics.
        public var durable = false
        /// Extra `-c name=value` settings.
        public var settings: [String: String] = [:]
        /// Lines that replace initdb's pg_hba.conf (nil keeps it: trust for everyone).
        public var hba: [String]? = nil
        /// A PEM certificate and key to serve TLS with: copied into the cluster (the key mode
        /// 0600 and owned by the server's user, as PostgreSQL insists) and `ssl = on`.
        public var tls: (certificate: String, key: String)? = nil

        public init() {}
    }

    public let port: Int
    public let directory: String
    /// fsync and synchronous commit on (benchmarks); off for tests, which only need semantics.
    let durable: Bool
    /// `-c` arguments beyond the defaults (from `Options`).
    let extraArguments: [String]
    private let running = Mutex<pid_t?>(nil)

    /// Whether PostgreSQL binaries are installed (tests on it fail, not skip, in CI).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binDirectory + "/postgres") }

    private static let shared = Mutex<Result<PostgresServer, Error>?>(nil)

    /// The process-wide server, started on first use.
    public static func start() throws -> PostgresServer {
        try shared.withLock { slot in
            if let existing = slot { return try existing.get() }
            let result = Result { try PostgresServer.launch() }
            slot = result
            return try result.get()
        }
    }

    /// A cluster of its own (to restart it, or to measure with durable commits).
    public static func launch(durable: Bool = false) throws -> PostgresServer {
        var options = Options()
        options.durable = durable
        return try launch(options)
    }

    /// A cluster of its own with `options` (TLS, pg_hba.conf, settings).
    public static func launch(_ options: Options) throws -> PostgresServer {
        let dir = "/tmp/gwpg-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var settings = options.settings
        if options.tls != nil {
            settings["ssl"] = "on"
            settings["ssl_cert_file"] = dir + "/data/server.crt"
            settings["ssl_key_file"] = dir + "/data/server.key"
        }
        let arguments = settings.sorted { $0.key < $1.key }.flatMap { ["-c", "\($0.key)=\($0.value)"] }
        let server = PostgresServer(port: try freePort(), directory: dir, durable: options.durable, extraArguments: arguments)
        Self.removeAtExit(dir)
        let initdb = try ChildProcess.run(
            server.asPostgresUser([Self.binDirectory + "/initdb", "-D", dir + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                   "--locale=C.UTF-8", "--no-sync", "--no-instructions"]),
            environment: env, stdout: "/dev/null", stderr: dir + "-initdb.log")
        guard initdb == 0 else {
            let log = (try? String(contentsOfFile: dir + "-initdb.log", encoding: .utf8)) ?? ""
            throw HarnessError.process("initdb failed (\(initdb)): \(log.suffix(500))")
        }
        if let hba = options.hba {
            try server.writeOwned(dir + "/data/pg_hba.conf", contents: hba.joined(separator: "\n") + "\n", mode: 0o600)
        }
        if let tls = options.tls {
            try server.writeOwned(dir + "/data/server.crt", contents: String(contentsOfFile: tls.certificate, encoding: .utf8), mode: 0o644)
            try server.writeOwned(dir + "/data/server.key", contents: String(contentsOfFile: tls.key, encoding: .utf8), mode: 0o600)
        }
        try server.run()
        return server
    }

    private init(port: Int, directory: String, durable: Bool, extraArguments: [String] = []) {
        self.port = port
        self.directory = directory
        self.durable = durable
        self.extraArguments = extraArguments
        if getuid() == 0, let pw = getpwnam("postgres") {
            chown(directory, pw.pointee.pw_uid, pw.pointee.pw_gid)
        }
    }

    /// Writes a file the server reads, owned by the user it runs as (the postgres user when root).
    private func writeOwned(_ path: String, contents: String, mode: mode_t) throws {
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        guard chmod(path, mode) == 0 else { throw HarnessError.process("cannot chmod \(path)") }
        if getuid() == 0, let pw = getpwnam("postgres") {
            guard chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else { throw HarnessError.process("cannot chown \(path)") }
        }
    }

    private static let env = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]

    private func asPostgresUser(_ argv: [String]) -> [String] {
        getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + argv : argv
    }

    /// Starts `postgres` on this cluster's port and waits until it accepts connections.
    private func run() throws {
        if getuid() == 0, getpwnam("postgres") == nil {
            throw HarnessError.process("running as root but there is no postgres user")
        }
        let durability = durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off"]
        let pid = try ChildProcess.spawn(
            asPostgresUser([Self.binDirectory + "/postgres", "-D", directory + "/data", "-k", directory, "-p", String(port),
                            "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"] + durability + extraArguments),
            environment: Self.env, stdout: "/dev/null", stderr: directory + "-postgres.log")
        running.withLock { $0 = pid }
        Self.stopAtExit(pid)
        try Self.waitForConnections(port: port, pid: pid, log: directory + "-postgres.log")
    }

    /// Stops the server (fast shutdown: open connections are cut) and waits for it to exit.
    public func stop() {
        guard let pid = running.withLock({ p in defer { p = nil }; return p }) else { return }
        Self.terminate(pid)
    }

    /// Stops the server and starts it again on the same port and data.
    public func restart() throws {
        stop()
        try run()
    }

    /// Starts a stopped server again on the same port and data.
    public func start() throws { try run() }

    private static func terminate(_ pid: pid_t) {
        kill(pid, SIGINT)
        var status: Int32 = 0
        for _ in 0..<500 where waitpid(pid, &status, WNOHANG) != pid { usleep(10_000) }
        atExit.withLock { $0.pids.remove(pid) }
    }

    /// A loopback port nothing listens on right now.
    public static func freePort() throws -> Int {
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

    private static let atExit = Mutex<(pids: Set<pid_t>, directories: [String], installed: Bool)>(([], [], false))

    private static func stopAtExit(_ pid: pid_t) {
        atExit.withLock { $0.pids.insert(pid) }
    }

    /// Removes `directory` when the process exits (with the clusters' own directories).
    public static func removeAtExit(_ directory: String) {
        let install = atExit.withLock { state in
            state.directories.append(directory)
            defer { state.installed = true }
            return !state.installed
        }
        guard install else { return }
        atexit {
            let (pids, dirs, _) = PostgresServer.atExit.withLock { $0 }
            for pid in pids { PostgresServer.terminate(pid) }
            for dir in dirs {
                try? FileManager.default.removeItem(atPath: dir)
                try? FileManager.default.removeItem(atPath: dir + "-initdb.log")
                try? FileManager.default.removeItem(atPath: dir + "-postgres.log")
            }
        }
    }
}
