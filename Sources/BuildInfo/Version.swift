/// What `gwops --version` prints. `version` is the release: scripts/package names the Debian
/// package after it and refuses to build when packaging/debian/changelog's newest entry differs.
/// `buildCommit` is written at each build by the BuildCommit plugin.
public enum BuildInfo {
    public static let version = "0.9.0"

    /// `gwops 0.9.0 (commit 8fdd502a1b2c)`.
    public static var description: String { "gwops \(version) (commit \(buildCommit))" }
}
