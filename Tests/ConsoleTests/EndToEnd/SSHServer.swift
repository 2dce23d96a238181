import Foundation
import TestSupport

/// A real `sshd` on a loopback port with a throwaway host key, letting in the given accounts with
/// throwaway keys (public-key only). Needs root and openssh-server (`.ci/run` installs it).
struct SSHServer {
    let directory: TemporaryDirectory
    let port: Int
    let pid: pid_t

    static func start(users: [String]) async throws -> SSHServer {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
            throw EndToEndFailure("/usr/sbin/sshd is missing: install openssh-server (.ci/run does)")
        }
        let directory = TemporaryDirectory(prefix: "gwops-sshd")
        try FileManager.default.createDirectory(atPath: directory.file("keys"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)  // privilege separation
        try await run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", directory.file("host_key")], in: directory)
        for user in users {
            try await run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", user, "-f", directory.file("\(user)_key")], in: directory)
            try FileManager.default.copyItem(atPath: directory.file("\(user)_key.pub"), toPath: directory.file("keys/\(user)"))
            // A locked account (useradd's "!") is refused by sshd without PAM; "*" is no password, not locked
            try await run(["/usr/sbin/usermod", "-p", "*", user], in: directory)
        }
        let port = try PostgresServer.freePort()
        let config = directory.file("sshd_config")
        try """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory.file("host_key"))
            PidFile \(directory.file("sshd.pid"))
            AuthorizedKeysFile \(directory.file("keys"))/%u
            StrictModes no
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            PermitRootLogin no
            AllowUsers \(users.joined(separator: " "))
            PrintMotd no
            PrintLastLog no
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let pid = try ChildProcess.spawn(
            ["/usr/sbin/sshd", "-D", "-e", "-f", config], environment: [:], stdout: directory.file("sshd.out"), stderr: directory.file("sshd.log"))
        let server = SSHServer(directory: directory, port: port, pid: pid)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if (try? await server.run(users[0], "true").0) == 0 { return server }
            try await Task.sleep(for: .milliseconds(200))
        }
        server.stop()
        let log = (try? String(contentsOfFile: directory.file("sshd.log"), encoding: .utf8)) ?? ""
        throw EndToEndFailure("sshd on 127.0.0.1:\(port) did not let \(users[0]) in within 20 s:\n\(log)")
    }

    /// The `ssh` command line that logs `user` in and runs `remote` on a terminal (for tmux).
    func command(_ user: String, _ remote: String) -> String {
        (sshArguments(user, tty: true) + [remote]).map(TmuxPane.shellQuote).joined(separator: " ")
    }

    /// Runs `remote` as `user` over SSH without a terminal: exit status, stdout, stderr.
    func run(_ user: String, _ remote: String) async throws -> (Int32, String, String) {
        let out = directory.file("ssh-\(UUID().uuidString.prefix(6)).out"), err = out + ".err"
        let argv = sshArguments(user, tty: false) + [remote]
        let status = try await OffPool.run { try ChildProcess.run(argv, environment: [:], stdout: out, stderr: err) }
        return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    private func sshArguments(_ user: String, tty: Bool) -> [String] {
        ["/usr/bin/ssh", tty ? "-tt" : "-T", "-p", String(port), "-i", directory.file("\(user)_key"),
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes",
         "\(user)@127.0.0.1"]
    }

    func stop() {
        kill(pid, SIGTERM)
        _ = try? ChildProcess.wait(pid, name: "sshd")
        directory.remove()
    }

    private static func run(_ argv: [String], in directory: TemporaryDirectory) async throws {
        let status = try await OffPool.run {
            try ChildProcess.run(argv, environment: [:], stdout: directory.file("setup.out"), stderr: directory.file("setup.err"))
        }
        guard status == 0 else {
            let err = (try? String(contentsOfFile: directory.file("setup.err"), encoding: .utf8)) ?? ""
            throw EndToEndFailure("\(argv.joined(separator: " ")) failed (\(status)): \(err)")
        }
    }
}
