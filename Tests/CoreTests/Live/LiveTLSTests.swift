import Foundation
import NIOSSL
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// A platform behind a certificate from a private CA: `tls_verify = false` reaches it over REST
/// and over the WebSocket; verification on refuses both.
@Suite(.timeLimit(.minutes(2)))
struct LiveTLSTests {
    static func selfSignedServer(in dir: TemporaryDirectory) throws -> TLSConfiguration {
        let (key, cert) = (dir.file("key.pem"), dir.file("cert.pem"))
        let status = try ChildProcess.run(
            ["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
             "-subj", "/CN=platform.internal"],
            environment: [:], stdout: dir.file("openssl.out"), stderr: dir.file("openssl.err"))
        guard status == 0 else { throw HarnessError.process("openssl exited \(status)") }
        return TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
    }

    static func session(_ f: StoreFixture, _ h: SimulatorHarness, tlsVerify: Bool, connected: LiveSessionTests.Counter) -> LiveSession {
        var options = LiveOptions()
        options.minBackoff = .milliseconds(50)
        options.maxBackoff = .milliseconds(200)
        let client = h.client(tlsVerify: tlsVerify)
        let sync = SyncEngine(store: f.store, platform: client)
        return LiveSession(
            platformURL: h.baseURL, apiKey: SimulatorHarness.apiKey, tlsVerify: tlsVerify,
            handler: LiveEventHandler(store: f.store, platform: client), platform: client, options: options
        ) { reason in
            _ = try? await sync.run(trigger: reason.trigger, requestedBy: Principal(user: "t", clientAddress: nil))
            if case .connected = reason { connected.add() }
        }
    }

    @Test func tlsVerifyFalseAppliesToTheWebSocketToo() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try await SimulatorHarness.with(deployments: 10, tls: try Self.selfSignedServer(in: dir)) { h in
            #expect(h.baseURL.hasPrefix("https://"))
            // With verification on, neither REST nor the WebSocket gets through
            await #expect(throws: PlatformError.self) { try await h.client().listDeployments(since: nil) }
            // (the WebSocket client checks certificates against host names only: it says so)
            let refused = LiveSessionTests.Counter()
            await #expect(throws: LiveError.certificateForIPAddress(host: "127.0.0.1")) {
                try await Self.session(f, h, tlsVerify: true, connected: refused).run()
            }
            #expect(refused.count == 0)
            #expect(await h.simulator.live.connections == 0)
            // With tls_verify = false, both do: the live path connects and its sync applies everything
            let connected = LiveSessionTests.Counter()
            let live = Task { try await Self.session(f, h, tlsVerify: false, connected: connected).run() }
            defer { live.cancel() }
            try await waitUntil(seconds: 20) { connected.count == 1 }
            #expect(await h.simulator.live.connections == 1)
            let deployed = await h.platform.all().filter { $0.deployment?.state == .deployed }.count
            #expect(try await f.store.artifactCounts().deployed == deployed)
            // And live events arrive over wss
            let id = try #require(await SyncEndToEndTests.deployedIds(h.platform).first)
            let redeployed = try #require(await h.simulator.perform(.deploy, on: id))
            try await waitUntil(seconds: 10) { try await f.store.artifact(uuid: id)?.deploymentId == redeployed.deployment?.deploymentId }
        }
    }
}
