import Foundation
import Testing
import TestSupport
@testable import Core

/// The words for a file someone may not read: owner and mode, never an encoding error. (Who may
/// not read is tested as `nobody` in ReadOnlyAccessTests; the tests run as root.)
struct FileAccessTests {
    @Test func ownerAndModeReadAsAnOperatorWritesThem() {
        #expect(FileOwnership(owner: "gwops", mode: 0o600).summary == "owner gwops, mode 0600")
        #expect(FileOwnership(owner: "gwops", mode: 0o2750).octalMode == "2750")
        #expect(
            FileAccess.permissionDenied("reading", "key file /etc/gwops/api-key", FileOwnership(owner: "gwops", mode: 0o600), user: "alice")
                == "permission denied reading key file /etc/gwops/api-key (owner gwops, mode 0600; running as alice)")
    }

    @Test func ownershipComesFromTheFile() throws {
        let dir = TemporaryDirectory(prefix: "gwops-access")
        defer { dir.remove() }
        let path = dir.file("f")
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        chmod(path, 0o640)
        let ownership = try #require(FileOwnership(of: path))
        #expect(ownership.mode == 0o640)
        #expect(ownership.owner == FileAccess.userName(getuid()))
        #expect(FileAccess.readProblem(path) == nil)
        #expect(FileAccess.readProblem(dir.file("absent"), noun: "key file") == "key file \(dir.file("absent")) does not exist")
        #expect(FileOwnership(of: dir.file("absent")) == nil)
    }
}
