import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Core

/// A real PostgreSQL serving TLS with a certificate from a throwaway CA and accepting TLS
/// connections only (pg_hba.conf `hostssl`): `verify-full` reaches it with that CA and a name the
/// certificate lists; another host name, another CA and no TLS at all are refused, each with a
/// sentence that says why.
/// Serialized, on one cluster started for the suite (initdb and two CAs cost seconds of CPU).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PostgresTLSTests {
    static let password = "tls-test-password"

    struct Server: Sendable {
        let port: Int
        let ca: ThrowawayCA
        let stranger: ThrowawayCA
    }

    /// Started once, off the cooperative pool (initdb and openssl block).
    private static let shared = Task { try await OffPool.run { try launch() } }

    /// Runs `body` against the suite's TLS-only server. Its certificate names `localhost` and
    /// nothing else: NIOSSL accepts a certificate whose IP entry matches the connected address
    /// whatever host name was asked for, so with `IP:127.0.0.1` in it no name could ever be wrong
    /// over loopback.
    static func withServer(_ body: (_ port: Int, _ ca: ThrowawayCA, _ stranger: ThrowawayCA) async throws -> Void) async throws {
        let server = try await shared.value
        try await body(server.port, server.ca, server.stranger)
    }

    private static func launch() throws -> Server {
        let dir = TemporaryDirectory(prefix: "gwops-pgtls")
        PostgresServer.removeAtExit(dir.path)
        let ca = try ThrowawayCA(name: "gwops-test-ca", in: dir)
        let stranger = try ThrowawayCA(name: "someone-elses-ca", in: dir)
        var options = PostgresServer.Options()
        options.tls = try ca.issueServerCertificate("server", names: ["DNS:localhost"])
        options.hba = ["local all all trust", "hostssl all all 127.0.0.1/32 trust", "hostssl all all ::1/128 trust"]
        return Server(port: try PostgresServer.launch(options).port, ca: ca, stranger: stranger)
    }

    /// The sentence `connect` fails with (nil when it connects).
    static func refusal(_ url: String, tls: PostgresTLSMode? = nil, caFile: String? = nil) async -> String? {
        do {
            let store = try await PostgresStore.connect(url: url, gatewayId: "gw-tls", password: password, tls: tls, caFile: caFile)
            store.close()
            return nil
        } catch {
            #expect(!"\(error)".contains(password), "the error printed the password")
            return "\(error)"
        }
    }

    @Test func verifyFullWithTheCAAndANameInTheCertificateConnects() async throws {
        try await Self.withServer { port, ca, _ in
            // Given a server that refuses connections without TLS
            // When gwops connects with verify-full, the CA in the URL and the name the certificate lists
            let url = "postgres://postgres@localhost:\(port)/postgres?sslmode=verify-full&sslrootcert=\(ca.certificate)"
            let store = try await PostgresStore.connect(url: url, gatewayId: "gw-tls", password: nil)
            defer { store.close() }
            // Then the store works (migrated through the pool, over TLS since pg_hba.conf allows nothing else)
            #expect(try await store.position().headSeq == 0)
            #expect(store.location == "postgres://postgres@localhost:\(port)/postgres")

            // And the same settings from [store] tls / ca_file instead of the URL work too
            let plainURL = "postgres://postgres@localhost:\(port)/postgres"
            #expect(await Self.refusal(plainURL, tls: .verifyFull, caFile: ca.certificate) == nil)
            // And a CA file alone means verify-full, even on this host
            #expect(await Self.refusal(plainURL, caFile: ca.certificate) == nil)
        }
    }

    @Test func aHostNameTheCertificateDoesNotListIsRefusedByVerifyFullOnly() async throws {
        try await Self.withServer { port, ca, _ in
            // Given a certificate for localhost, reached as 127.0.0.1
            let url = "postgres://postgres@127.0.0.1:\(port)/postgres?sslrootcert=\(ca.certificate)"
            // When verify-full checks the name, then it is refused, naming the host
            let refused = try #require(await Self.refusal(url + "&sslmode=verify-full"))
            #expect(refused.contains("cannot open store postgres://postgres@127.0.0.1:\(port)/postgres"), "\(refused)")
            #expect(refused.contains("certificate does not name 127.0.0.1"), "\(refused)")
            // And verify-ca, which checks the chain but not the name, connects
            #expect(await Self.refusal(url + "&sslmode=verify-ca") == nil)
        }
    }

    @Test func aCertificateFromAnotherCAIsRefusedAsNotTrusted() async throws {
        try await Self.withServer { port, _, stranger in
            let url = "postgres://postgres@localhost:\(port)/postgres"
            // When the client trusts a CA that did not sign the server's certificate
            let refused = try #require(await Self.refusal(url + "?sslmode=verify-full&sslrootcert=\(stranger.certificate)"))
            // Then it is refused as untrusted, naming the CA file
            #expect(refused.contains("certificate is not trusted"), "\(refused)")
            #expect(refused.contains(stranger.certificate), "\(refused)")
            // And with the system's trust store (no CA file) too: the default for another host
            let system = try #require(await Self.refusal(url, tls: .verifyFull))
            #expect(system.contains("certificate is not trusted") && system.contains("system's trusted CAs"), "\(system)")
            // And verify-ca checks the chain just the same
            #expect(await Self.refusal(url + "?sslmode=verify-ca&sslrootcert=\(stranger.certificate)") != nil)
            // While require encrypts without checking, and connects
            #expect(await Self.refusal(url + "?sslmode=require") == nil)
        }
    }

    @Test func disableAgainstAServerThatRequiresTLSSaysSo() async throws {
        try await Self.withServer { port, _, _ in
            // When gwops connects without TLS to a server whose pg_hba.conf only has hostssl lines
            let refused = try #require(await Self.refusal("postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable"))
            // Then the error says the server accepts TLS only, and what to set
            #expect(refused.contains("only over TLS"), "\(refused)")
            #expect(refused.contains("no pg_hba.conf entry"), "\(refused)")
            #expect(refused.contains("sslmode verify-full"), "\(refused)")
            // And the default on this host (prefer) uses TLS since the server offers it
            #expect(await Self.refusal("postgres://postgres@127.0.0.1:\(port)/postgres") == nil)
        }
    }

    @Test func requireAgainstAServerWithoutTLSSaysSo() async throws {
        // Given the shared test server, which has ssl = off
        let server = try await OffPool.run { try PostgresServer.start() }
        // When TLS is required, then the refusal says the server does not offer it
        let refused = try #require(await Self.refusal(server.url(database: "postgres") + "?sslmode=require"))
        #expect(refused.contains("does not offer TLS"), "\(refused)")
    }
}
