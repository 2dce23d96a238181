import ControlSocket
import Core
import Foundation
import Testing
import TestSupport

/// Who may use the socket, from the kernel's word on the caller: `gwops` run as another account
/// (`nobody`, through setpriv) against a socket this process serves as root.
struct ControlAccessTests {
    /// A store only root may read, a config pointing at it and the socket: what works for
    /// `nobody` works through the socket.
    static func config(_ h: ControlHarness, _ f: StoreFixture) throws -> String {
        try config(socket: h.path, f, in: h.directory)
    }

    /// The same for the socket at `socket`, written in `directory`.
    static func config(socket: String, _ f: StoreFixture, in directory: TemporaryDirectory) throws -> String {
        chmod(f.sqlitePath, 0o600)
        let path = directory.file("config.toml")
        try """
            [gateway]
            id = "\(StoreFixture.gatewayId)"
            [platform]
            url = "http://127.0.0.1:9"
            api_key_file = "/nonexistent/api-key"
            [store]
            path = "\(f.sqlitePath)"
            [control]
            socket = "\(socket)"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        return path
    }

    @Test func anAccountInNoConfiguredGroupIsRefusedInWords() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let h = try await ControlHarness.start(
            store: f.store, policy: AccessPolicy(viewers: ["gwops-view"], operators: ["gwops-ops"], serviceUID: getuid()))
        let config = try Self.config(h, f)
        let (status, _, err) = try await GwopsBinary.run(["status", "--config", config], asUser: "nobody", in: h.directory)
        #expect(status == 1)
        #expect(err.contains("nobody may not use this gateway's control socket"), "\(err)")
        #expect(err.contains("gwops-view or gwops-ops"), "\(err)")
        await h.stop()
    }

    @Test func aViewerWatchesThroughTheSocketAndIsRefusedActions() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a")])
        let nobodysGroup = try #require(getgrgid(GwopsBinary.account("nobody").1).map { String(cString: $0.pointee.gr_name) })
        let h = try await ControlHarness.start(
            store: f.store, policy: AccessPolicy(viewers: [nobodysGroup], operators: ["gwops-ops"], serviceUID: getuid()))
        let config = try Self.config(h, f)

        // It reads a store it may not open, through the socket
        let (status, out, err) = try await GwopsBinary.run(["status", "--config", config], asUser: "nobody", in: h.directory)
        #expect(status == 0, "\(err)")
        #expect(out.contains("artifacts 1"), "\(out)")
        // And is refused an action in words, naming the operators' group
        let (approve, _, refusal) = try await GwopsBinary.run(["orphans", "approve", "1", "--config", config], asUser: "nobody", in: h.directory)
        #expect(approve != 0)
        #expect(refusal.contains("nobody is a viewer") && refusal.contains("operators are members of gwops-ops"), "\(refusal)")
        // And `--direct` goes to the store, which it may not read
        let (direct, _, denied) = try await GwopsBinary.run(["status", "--direct", "--config", config], asUser: "nobody", in: h.directory)
        #expect(direct != 0)
        #expect(denied.contains("permission denied"), "\(denied)")
        await h.stop()
    }

    @Test func rolesComeFromGroupsAndRootAndTheServiceAccountAlwaysAct() {
        let policy = AccessPolicy(viewers: ["gwops-view"], operators: ["gwops-ops", "wheel"], serviceUID: 990)
        func peer(_ uid: UInt32, _ groups: [String]) -> PeerIdentity {
            PeerIdentity(uid: uid, gid: 100, pid: 1, user: "u\(uid)", groups: groups)
        }
        let cases: [(PeerIdentity, Role?)] = [
            (peer(0, []), .operator),
            (peer(990, []), .operator),
            (peer(1001, ["users", "gwops-ops"]), .operator),
            (peer(1002, ["wheel"]), .operator),
            (peer(1003, ["gwops-view"]), .viewer),
            (peer(1004, ["gwops-view", "gwops-ops"]), .operator),
            (peer(1005, ["users"]), nil),
            (peer(1006, []), nil),
        ]
        for (p, role) in cases { #expect(policy.role(of: p) == role, "\(p.user) in \(p.groups)") }
        #expect(policy.refusalToAct(peer(1003, ["gwops-view"]), action: "act")
            == "u1003 is a viewer and may not act; operators are members of gwops-ops or wheel")
        #expect(policy.refusalToWatch(peer(1005, ["users"]))
            == "u1005 may not use this gateway's control socket: viewers and operators are members of gwops-view, gwops-ops or wheel (u1005 is in users)")
        let none = AccessPolicy(viewers: [], operators: [], serviceUID: 990)
        #expect(none.refusalToAct(peer(1, []), action: "act") == "u1 is a viewer and may not act; only root and the service account act")
    }
}
