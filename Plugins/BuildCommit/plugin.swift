import Foundation
import PackagePlugin

/// Writes `Commit.swift` (the commit this checkout is at) into the target before every build, so
/// `gwops --version` names the commit it was built from. git runs at each build (a prebuild
/// command) because a build command would only rerun when its inputs change, and a commit changes
/// no source file; the file is rewritten only when its text changes, so an unchanged commit
/// recompiles nothing. Outside a git checkout (a source tarball) the commit is "unknown".
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = """
            set -u
            mkdir -p "$OUT"
            commit=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
            if [ "$commit" != unknown ] && [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
                commit="$commit-dirty"
            fi
            text="// Written by the BuildCommit plugin at each build.
            package let buildCommit = \\"$commit\\""
            if [ "$(cat "$OUT/Commit.swift" 2>/dev/null)" != "$text" ]; then
                printf '%s\\n' "$text" > "$OUT/Commit.swift.new" && mv -f "$OUT/Commit.swift.new" "$OUT/Commit.swift"
            fi
            """
        return [
            .prebuildCommand(
                displayName: "Recording the commit gwops is built from",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script],
                environment: ["OUT": output.path, "REPO": context.package.directoryURL.path, "PATH": "/usr/local/bin:/usr/bin:/bin"],
                outputFilesDirectory: output)
        ]
    }
}
