import Testing
@testable import Core

/// `[store] url`, `tls` and `ca_file` settle into one endpoint: libpq's sslmode names, the URL or
/// the configuration (not both disagreeing), and verify-full unless the server is on this host.
struct PostgresEndpointTests {
    static func endpoint(_ url: String, tls: PostgresTLSMode? = nil, caFile: String? = nil) throws -> PostgresEndpoint {
        try PostgresEndpoint.parse(url: url, tls: tls, caFile: caFile)
    }

    static func refusal(_ url: String, tls: PostgresTLSMode? = nil, caFile: String? = nil) -> String? {
        do {
            _ = try endpoint(url, tls: tls, caFile: caFile)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: ["db.internal", "10.0.0.5", "localhost.example.com", "128.0.0.1", "[2001:db8::1]"])
    func anotherHostDefaultsToVerifyFull(host: String) throws {
        let e = try Self.endpoint("postgres://gwops@\(host):5432/gw")
        #expect(e.tls == .verifyFull)
        #expect(e.tlsIsDefault)
        #expect(e.caFile == nil)
        #expect(e.warning == nil)
    }

    @Test(arguments: ["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "[::1]"])
    func thisHostDefaultsToPrefer(host: String) throws {
        let e = try Self.endpoint("postgres://gwops@\(host):5432/gw")
        #expect(e.tls == .prefer)
        #expect(e.tlsIsDefault)
        #expect(e.warning == nil)
    }

    @Test func loopbackAndSocketsAreThisHost() {
        for host in ["localhost", "127.0.0.1", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1", "/var/run/postgresql"] {
            #expect(PostgresEndpoint.isLocal(host: host), "\(host)")
        }
        for host in ["db.internal", "10.0.0.1", "::2", "localhost.evil.example", "1.127.0.0"] {
            #expect(!PostgresEndpoint.isLocal(host: host), "\(host)")
        }
        #expect(PostgresEndpoint.defaultMode(host: "db.internal") == .verifyFull)
        #expect(PostgresEndpoint.defaultMode(host: "127.0.0.1") == .prefer)
        #expect(PostgresEndpoint.defaultMode(host: "127.0.0.1", rootGiven: true) == .verifyFull)
    }

    @Test func everySSLModeIsReadFromTheURL() throws {
        for mode in PostgresTLSMode.allCases {
            let e = try Self.endpoint("postgres://gwops@db.internal:5432/gw?sslmode=\(mode.rawValue)")
            #expect(e.tls == mode)
            #expect(!e.tlsIsDefault)
        }
        let e = try Self.endpoint("postgresql://gwops@db.internal/gw?sslmode=verify-ca&sslrootcert=/etc/gwops/db-ca.pem")
        #expect(e == PostgresEndpoint(host: "db.internal", port: 5432, user: "gwops", database: "gw", tls: .verifyCA, caFile: "/etc/gwops/db-ca.pem"))
        #expect(e.location == "postgres://gwops@db.internal:5432/gw")
    }

    @Test func theConfigurationSetsTheModeAndCAWhenTheURLDoesNot() throws {
        let e = try Self.endpoint("postgres://gwops@127.0.0.1:5432/gw", tls: .verifyCA, caFile: "/etc/gwops/db-ca.pem")
        #expect(e.tls == .verifyCA)
        #expect(e.caFile == "/etc/gwops/db-ca.pem")
        #expect(!e.tlsIsDefault)
        // The same value in both places is fine
        #expect(try Self.endpoint("postgres://gwops@db.internal/gw?sslmode=require", tls: .require).tls == .require)
    }

    @Test func aCAFileWithoutAModeMeansVerifyFullEvenOnThisHost() throws {
        #expect(try Self.endpoint("postgres://gwops@127.0.0.1/gw?sslrootcert=/ca.pem").tls == .verifyFull)
        #expect(try Self.endpoint("postgres://gwops@127.0.0.1/gw", caFile: "/ca.pem").tls == .verifyFull)
        // libpq's sslrootcert=system: the system's trust store
        let system = try Self.endpoint("postgres://gwops@127.0.0.1/gw?sslrootcert=system")
        #expect(system.tls == .verifyFull && system.caFile == nil)
    }

    @Test func disagreementsAndMistakesAreRefusedInWords() throws {
        let base = "postgres://gwops@db.internal:5432/gw"
        let conflict = try #require(Self.refusal(base + "?sslmode=require", tls: .verifyFull))
        #expect(conflict.contains("sslmode=require") && conflict.contains("tls = \"verify-full\""), "\(conflict)")
        let caConflict = try #require(Self.refusal(base + "?sslrootcert=/a.pem", caFile: "/b.pem"))
        #expect(caConflict.contains("/a.pem") && caConflict.contains("/b.pem"), "\(caConflict)")
        let badMode = try #require(Self.refusal(base + "?sslmode=verify"))
        #expect(badMode.contains("disable, prefer, require, verify-ca, verify-full") && badMode.contains("\"verify\""), "\(badMode)")
        let unknown = try #require(Self.refusal(base + "?connect_timeout=5"))
        #expect(unknown.contains("unknown URL parameter \"connect_timeout\""), "\(unknown)")
        let uncheckedCA = try #require(Self.refusal(base + "?sslmode=require&sslrootcert=/ca.pem"))
        #expect(uncheckedCA.contains("only used by sslmode verify-ca or verify-full"), "\(uncheckedCA)")
        let twice = try #require(Self.refusal(base + "?sslmode=require&sslmode=disable"))
        #expect(twice.contains("sslmode is given twice"), "\(twice)")
    }

    @Test func aPasswordInTheURLIsRefusedWithoutBeingRepeated() throws {
        let refused = try #require(Self.refusal("postgres://gwops:hunter2@db.internal:5432/gw"))
        #expect(refused.contains("must not contain a password"))
        #expect(!refused.contains("hunter2"))
        let malformed = try #require(Self.refusal("postgres://gwops:hunter2@/gw"))
        #expect(!malformed.contains("hunter2"), "\(malformed)")
    }

    @Test func unverifiedTrafficToAnotherHostIsWarnedAbout() throws {
        let remote = "postgres://gwops@db.internal:5432/gw"
        #expect(try Self.endpoint(remote, tls: .disable).warning?.contains("is not encrypted") == true)
        #expect(try Self.endpoint(remote, tls: .prefer).warning?.contains("not checked") == true)
        #expect(try Self.endpoint(remote, tls: .require).warning
            == "[store] sslmode require: the certificate of PostgreSQL at db.internal is not checked (verify-full checks it)")
        #expect(try Self.endpoint(remote, tls: .verifyCA).warning == nil)
        #expect(try Self.endpoint(remote).warning == nil)
        // Nothing leaves this host: no warning
        #expect(try Self.endpoint("postgres://gwops@127.0.0.1:5432/gw", tls: .disable).warning == nil)
    }
}
