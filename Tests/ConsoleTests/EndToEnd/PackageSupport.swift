import Foundation
import Testing
import TestSupport

/// Builds and checks the Debian package for the system tests.
enum Packaging {
    /// The Swift toolchain's root, which the namespaces hide (/opt/swift for /opt/swift/usr/bin/swift).
    static var toolchain: String {
        let swift = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { "\($0)/swift" }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/opt/swift/usr/bin/swift"
        var root = URL(fileURLWithPath: swift).resolvingSymlinksInPath()
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.path
    }

    /// A host with no gwops package and no files an earlier install left, and a directory every
    /// account may enter.
    static func cleanHost() throws -> TemporaryDirectory {
        SystemTests.stopInstalledController()
        _ = try? ChildProcess.run(
            ["/bin/sh", "-c", "dpkg -P gwops; rm -rf /etc/gwops /var/lib/gwops /run/gwops /usr/bin/gwops /usr/local/bin/gwops "
                + "/etc/systemd/system/gwops-controller.service /usr/lib/systemd/system/gwops-controller.service "
                + "/etc/systemd/system/multi-user.target.wants/gwops-controller.service"],
            environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], stdout: "/dev/null", stderr: "/dev/null")
        let work = TemporaryDirectory(prefix: "gwops-package")
        chmod(work.path, 0o755)
        return work
    }

    /// `scripts/package` from this build's gwops (linked as the release one is), gzip for speed;
    /// the .deb's path.
    static func build(in work: TemporaryDirectory, version: String? = nil) async throws -> String {
        let binary = try GwopsBinary.path()
        let tool = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("generate-manual").path
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw EndToEndFailure("no \(tool): build it first with `swift build --product generate-manual` (.ci/run does)")
        }
        let output = work.file("dist-\(version ?? "current")")
        let (status, out, err) = try await SystemTests.bash(
            "\(SystemTests.repository.path)/scripts/package --fast --binary \(binary) --output \(output)"
                + (version.map { " --version \($0)" } ?? ""), in: work)
        guard status == 0 else { throw EndToEndFailure("scripts/package failed:\n\(err)") }
        let deb = out.trimmingCharacters(in: .whitespacesAndNewlines)
        // apt installs a local file only by a path with a slash; the README copies it to ./
        try FileManager.default.copyItem(atPath: deb, toPath: work.file(URL(fileURLWithPath: deb).lastPathComponent))
        return "./" + URL(fileURLWithPath: deb).lastPathComponent
    }

    /// lintian: no error (its overrides name the two libraries dependencies vendor), and each
    /// warning it prints named and argued in packaging/README.md.
    static func lintianReportsNoErrorAndArguesEachWarning(_ deb: String, in work: TemporaryDirectory) async throws {
        let (status, out, err) = try await SystemTests.bash("cd \(work.path) && lintian --allow-root \(deb)", in: work)
        #expect(status == 0 && !out.contains("E: "), "lintian:\n\(out)\n\(err)")
        let argued = try String(contentsOf: SystemTests.repository.appendingPathComponent("packaging/README.md"), encoding: .utf8)
        for line in out.split(separator: "\n") where line.hasPrefix("W: ") {
            let tag = line.split(separator: " ").dropFirst(2).first.map(String.init) ?? ""
            #expect(argued.contains(tag), "lintian's warning \(tag) is not argued in packaging/README.md")
        }
        for tag in ["embedded-library libyaml", "embedded-library zlib"] { #expect(argued.contains(tag)) }
    }
}

/// A mount namespace in which the Swift toolchain's directory is an empty one: what a gateway
/// host without Swift sees, with this machine's Debian. Kept by a bind-mounted handle so the
/// test's commands and tmux panes enter the same one.
struct SwiftlessNamespace {
    let toolchain: String
    let handle: String

    init(in work: TemporaryDirectory) async throws {
        toolchain = Packaging.toolchain
        let directory = work.file("ns")
        handle = directory + "/mnt"
        let (status, _, err) = try await SystemTests.bash(
            """
            mkdir -p \(directory) && mount --bind \(directory) \(directory) && mount --make-private \(directory) && touch \(handle)
            unshare --mount=\(handle) --propagation private sh -c 'mount -t tmpfs -o mode=0755 gwops-no-swift \(toolchain)'
            """, in: work)
        guard status == 0 else {
            SwiftlessNamespace.unmount(handle)
            throw EndToEndFailure("the namespace without \(toolchain): \(err)")
        }
    }

    /// `script` (bash) inside the namespace.
    func run(_ script: String, in work: TemporaryDirectory) async throws -> (Int32, String, String) {
        try await SystemTests.bash("nsenter --mount=\(handle) --wd=\(work.path) -- /bin/bash -euo pipefail -c \(TmuxPane.shellQuote(script))", in: work)
    }

    /// A shell command line that runs `command` inside the namespace (a tmux pane's).
    func command(_ command: String) -> String { "nsenter --mount=\(handle) -- /bin/sh -c \(TmuxPane.shellQuote(command))" }

    func remove() { Self.unmount(handle) }

    private static func unmount(_ handle: String) {
        let directory = (handle as NSString).deletingLastPathComponent
        _ = try? ChildProcess.run(
            ["/bin/sh", "-c", "umount \(handle); umount \(directory)"], environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"],
            stdout: "/dev/null", stderr: "/dev/null")
    }
}

/// A machine with systemd for the package tests: PID and mount namespaces whose root is an overlay
/// of this machine's (what the box writes stays in the overlay), with the toolchain's directory an
/// empty one and systemd as PID 1, booted to a target that pulls in nothing but what a started
/// unit needs (sysinit). Units that would touch the shared kernel (sysctl, modules, udev,
/// binfmt) are masked; Docker's policy-rc.d, which forbids starting services, is gone.
struct SystemdBox {
    let pid: pid_t

    init(in work: TemporaryDirectory) async throws {
        let directory = work.file("box")
        let target = "gwops-box-\(UUID().uuidString.prefix(8)).target"
        let masked = ["systemd-sysctl", "systemd-modules-load", "systemd-udevd", "systemd-udev-trigger", "systemd-binfmt", "systemd-hwdb-update"]
        let boot = """
            #!/bin/sh
            set -e
            W=\(directory)
            mount --make-rprivate /
            mkdir -p $W/layers && mount -t tmpfs gwops-box-layers $W/layers
            mkdir -p $W/layers/upper $W/layers/work $W/root
            mount -t overlay gwops-box -o lowerdir=/,upperdir=$W/layers/upper,workdir=$W/layers/work $W/root
            mount -t proc proc $W/root/proc
            mount --rbind /sys $W/root/sys
            mount --rbind /dev $W/root/dev
            mount -t tmpfs -o mode=0755 gwops-box-run $W/root/run
            mount -t tmpfs -o mode=0755 gwops-box-no-swift $W/root/\(Packaging.toolchain)
            printf '[Unit]\\nDescription=gwops box\\nDefaultDependencies=no\\n' > $W/root/etc/systemd/system/\(target)
            for unit in \(masked.joined(separator: " ")); do ln -sf /dev/null $W/root/etc/systemd/system/$unit.service; done
            rm -f $W/root/usr/sbin/policy-rc.d
            cd $W/root && mkdir -p .old && pivot_root . .old && umount -l /.old
            exec /lib/systemd/systemd --system --unit=\(target)
            """
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try boot.write(toFile: directory + "/boot.sh", atomically: true, encoding: .utf8)
        chmod(directory + "/boot.sh", 0o755)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--pid", "--fork", "--kill-child", "--mount", directory + "/boot.sh"]
        process.environment = ["container": "gwops-box", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // systemd is the child unshare forked: the process whose command line names the target
        var found: pid_t?
        for _ in 0..<100 {
            let out = work.file("box-pid")
            _ = try? ChildProcess.run(["/usr/bin/pgrep", "-f", "--", "--unit=\(target)"], environment: [:], stdout: out, stderr: "/dev/null")
            if let text = try? String(contentsOfFile: out, encoding: .utf8), let first = text.split(separator: "\n").first, let value = pid_t(first) {
                found = value
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let found else { throw EndToEndFailure("systemd did not start in the box (\(directory)/boot.sh)") }
        pid = found
        for _ in 0..<100 {
            let (status, out, _) = try await run("systemctl is-system-running || true")
            if status == 0 && (out.contains("running") || out.contains("degraded")) { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        remove()
        throw EndToEndFailure("systemd in the box never reached its target")
    }

    /// `script` (bash) as root in the box.
    func run(_ script: String) async throws -> (Int32, String, String) {
        let scratch = TemporaryDirectory(prefix: "gwops-box-run")
        defer { scratch.remove() }
        return try await SystemTests.bash(
            "nsenter -t \(pid) -m -p -- /bin/bash -euo pipefail -c \(TmuxPane.shellQuote(script)) </dev/null", in: scratch)
    }

    /// Copies files (./name relative to the caller's directory, or absolute) into the box's /root.
    func copyIn(_ paths: String...) throws {
        for path in paths {
            let source = URL(fileURLWithPath: path).standardizedFileURL
            try FileManager.default.copyItem(atPath: source.path, toPath: "/proc/\(pid)/root/root/" + source.lastPathComponent)
        }
    }

    /// Ends the box: its PID 1 killed, every process in it goes, and its mounts with its namespace.
    func remove() { kill(pid, SIGKILL) }
}
