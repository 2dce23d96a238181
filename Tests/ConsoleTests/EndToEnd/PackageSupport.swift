import Foundation
import Testing
import TestSupport

/// Builds and checks the Debian package for the system tests.
enum Packaging {
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

    /// `setup` runs inside the new namespace after the toolchain is hidden (more mounts).
    init(in work: TemporaryDirectory, setup: String = "true") async throws {
        // The toolchain's root: /opt/swift for /opt/swift/usr/bin/swift
        guard let swift = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map({ "\($0)/swift" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw EndToEndFailure("no swift on PATH: which toolchain is there to hide?") }
        var root = URL(fileURLWithPath: swift).resolvingSymlinksInPath()
        for _ in 0..<3 { root.deleteLastPathComponent() }  // usr/bin/swift
        toolchain = root.path
        let directory = work.file("ns")
        handle = directory + "/mnt"
        let (status, _, err) = try await SystemTests.bash(
            """
            mkdir -p \(directory) && mount --bind \(directory) \(directory) && mount --make-private \(directory) && touch \(handle)
            unshare --mount=\(handle) --propagation private sh -c 'mount -t tmpfs -o mode=0755 gwops-no-swift \(toolchain)'
            nsenter --mount=\(handle) -- /bin/sh -ec \(TmuxPane.shellQuote(setup))
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
