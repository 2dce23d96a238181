import Foundation
import Synchronization

/// Runs a built executable as a child process (crash and multi-process tests): `gwops` (the
/// product), `gwops-demo` (the demo and the simulated platform), `gwops-campaign` (its
/// `controller` keeps an apply log).
public enum GwopsBinary {
    public static let demo = "gwops-demo"
    public static let campaign = "gwops-campaign"

    /// The executable `name` next to the test bundle in the build directory.
    public static func path(_ name: String = "gwops") throws -> String {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        for _ in 0..<4 {
            dir.deleteLastPathComponent()
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let fallback = FileManager.default.currentDirectoryPath + "/.build/debug/" + name
        if FileManager.default.isExecutableFile(atPath: fallback) { return fallback }
        throw HarnessError.binaryNotFound("\(name) executable not found near \(CommandLine.arguments.first ?? "?"); run `swift build` first")
    }

    /// Starts `binary args…` (`gwops` unless named) with stdout and stderr to files in
    /// `directory`; as `user` when given (see `account`).
    public static func start(
        _ args: [String], binary: String = "gwops", environment: [String: String] = [:], asUser user: String? = nil, logPrefix: String,
        in directory: TemporaryDirectory
    ) throws -> Process {
        let process = Process()
        if let user {
            let (uid, gid) = try account(user)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--", try reachableCopy(binary)] + args
        } else {
            process.executableURL = URL(fileURLWithPath: try path(binary))
            process.arguments = args
        }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        _ = FileManager.default.createFile(atPath: directory.file("\(logPrefix).out"), contents: nil)
        _ = FileManager.default.createFile(atPath: directory.file("\(logPrefix).err"), contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: directory.file("\(logPrefix).out"))
        process.standardError = FileHandle(forWritingAtPath: directory.file("\(logPrefix).err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs to completion; returns exit status, stdout, stderr. Waits without holding a thread of
    /// Swift's cooperative pool: an in-process simulator needs those to answer the child.
    public static func run(
        _ args: [String], binary: String = "gwops", environment: [String: String] = [:], asUser user: String? = nil,
        in directory: TemporaryDirectory
    ) async throws -> (Int32, String, String) {
        let prefix = "run-\(UUID().uuidString.prefix(6))"
        let process = try start(args, binary: binary, environment: environment, asUser: user, logPrefix: prefix, in: directory)
        await exit(of: process)
        let out = (try? String(contentsOfFile: directory.file("\(prefix).out"), encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: directory.file("\(prefix).err"), encoding: .utf8)) ?? ""
        return (process.terminationStatus, out, err)
    }

    /// A copy of the executable `name` any user may run: the build tree may sit under a directory
    /// only root can enter (a checkout in root's home). Made once per process, removed at exit.
    public static func reachableCopy(_ name: String = "gwops") throws -> String {
        try copies.withLock { copies in
            if copies[name] == nil {
                copies[name] = Result {
                    let dir = "/tmp/gwops-bin-\(getpid())"
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
                    PostgresServer.removeAtExit(dir)
                    let copy = dir + "/" + name
                    try? FileManager.default.removeItem(atPath: copy)
                    try FileManager.default.copyItem(atPath: try path(name), toPath: copy)
                    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy)
                    return copy
                }
            }
            return try copies[name]!.get()
        }
    }
    private static let copies = Mutex<[String: Result<String, Error>]>([:])

    /// The uid and gid of `user`, to run `gwops` as someone permission bits apply to: the tests
    /// run as root, to whom they do not. Needs root (`setpriv`), and test directories that user may
    /// reach (the temporary directory is 0755); the binary is a copy under /tmp.
    public static func account(_ user: String) throws -> (uid_t, gid_t) {
        guard getuid() == 0 else { throw HarnessError.process("running gwops as \(user) needs root (setpriv); these tests run as root in CI") }
        guard let entry = getpwnam(user) else { throw HarnessError.process("there is no user \(user)") }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// Waits for `process` to exit, polling, without blocking a thread.
    public static func exit(of process: Process) async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        process.waitUntilExit()
    }

    /// Writes a config for a SQLite store and a platform at `platformURL`. Without a `[control]`
    /// section in `extra` the control socket is off: tests share gateway ids, and their
    /// controllers and commands must never meet another test's at the default /run/gwops path.
    public static func writeConfig(in directory: TemporaryDirectory, gatewayId: String, platformURL: String, storePath: String, extra: String = "") -> String {
        let extra = extra.contains("[control]") ? extra : extra + "\n[control]\nenabled = false\n"
        let text = """
            [gateway]
            id = "\(gatewayId)"

            [platform]
            url = "\(platformURL)"
            api_key_env = "GWOPS_TEST_API_KEY"
            timeout = "10s"

            [store]
            backend = "sqlite"
            path = "\(storePath)"
            \(extra)
            """
        let path = directory.file("config.toml")
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }
}

extension String {
    /// The config at this path with `api_key_env = …` (as `GwopsBinary.writeConfig` writes it)
    /// replaced by `line`.
    public func replacingKeySource(with line: String) -> String {
        let text = (try? String(contentsOfFile: self, encoding: .utf8)) ?? ""
        let replaced = text.replacingOccurrences(of: #"api_key_env = "GWOPS_TEST_API_KEY""#, with: line)
        try? replaced.write(toFile: self, atomically: true, encoding: .utf8)
        return self
    }
}
