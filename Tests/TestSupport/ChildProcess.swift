import Foundation

/// posix_spawn with a clean slate: default signal handlers, nothing blocked, only stdin/out/err
/// open (to /dev/null and the given files). Waits for the child and returns its exit status.
public enum ChildProcess {
    /// Runs `argv` to completion; returns its exit status (128 + signal when killed).
    public static func run(_ argv: [String], environment: [String: String], stdout: String, stderr: String) throws -> Int32 {
        try wait(try spawn(argv, environment: environment, stdout: stdout, stderr: stderr), name: argv[0])
    }

    /// Waits for `pid`; returns its exit status (128 + signal when killed).
    public static func wait(_ pid: pid_t, name: String) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw HarnessError.process("waitpid \(name): \(String(cString: strerror(errno)))") }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Waits for `pid` without holding a thread (it polls); returns its exit status.
    public static func finish(_ pid: pid_t, name: String) async throws -> Int32 {
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid { break }
            guard rc == 0 || errno == EINTR else { throw HarnessError.process("waitpid \(name): \(String(cString: strerror(errno)))") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Starts `argv` and returns its pid without waiting.
    public static func spawn(_ argv: [String], environment: [String: String], stdout: String, stderr: String) throws -> pid_t {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attr: posix_spawnattr_t? = nil
        let closeOthers: Int32 = Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #else
        var actions = posix_spawn_file_actions_t()
        var attr = posix_spawnattr_t()
        let closeOthers: Int32 = 0
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #if !canImport(Darwin)
        closeInheritedDescriptors(&actions)
        #endif

        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF) | closeOthers))

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid = pid_t()
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, cArgs, cEnv)
        guard rc == 0 else { throw HarnessError.process("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
        return pid
    }

    #if !canImport(Darwin)
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// glibc ≥ 2.34 has posix_spawn_file_actions_addclosefrom_np (not imported into Swift: look it
    /// up); otherwise close every descriptor /proc/self/fd lists (the child ignores EBADF).
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in fds.compactMap(Int32.init) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }
    #endif
}

