import Foundation
import Testing
@testable import Core

/// `[store]` for PostgreSQL: what the file must say, checked when it is read.
extension ConfigLoaderTests {
    @Test func postgresBackendRequiresAURL() throws {
        let error = try #require(configError(Self.minimal + "[store]\nbackend = \"postgres\"\n"))
        #expect(error.key == "store.url")
    }

    @Test func postgresTLSIsUnsetByDefaultAndTheEndpointRuleDecides() throws {
        let config = try ConfigLoader.parse(
            Self.minimal + "[store]\nbackend = \"postgres\"\nurl = \"postgres://gwops@db.internal/gw\"\n", file: "/x.toml")
        #expect(config.store.tls == nil)
        #expect(config.store.caFile == nil)
        #expect(try PostgresEndpoint.parse(url: config.store.url!).tls == .verifyFull)
    }

    @Test func postgresTLSModeMustBeALibpqName() throws {
        let error = try #require(configError(Self.postgres + "tls = \"verify\"\n"))
        #expect(error.key == "store.tls")
        #expect(error.reason.contains("\"verify-full\""), "\(error)")
    }

    @Test func postgresURLParametersAreCheckedWhenTheFileIsRead() throws {
        let badMode = try #require(configError(Self.minimal + "[store]\nbackend = \"postgres\"\nurl = \"postgres://g@db/gw?sslmode=on\"\n"))
        #expect(badMode.key == "store.url")
        #expect(badMode.reason.contains("sslmode must be one of"), "\(badMode)")
        let conflict = try #require(configError(
            Self.minimal + "[store]\nbackend = \"postgres\"\nurl = \"postgres://g@db/gw?sslmode=disable\"\ntls = \"verify-full\"\n"))
        #expect(conflict.key == "store.tls")
        #expect(conflict.reason.contains("set it in one place"), "\(conflict)")
        let uncheckedCA = try #require(configError(Self.postgres + "ca_file = \"/etc/gwops/db-ca.pem\"\ntls = \"require\"\n"))
        #expect(uncheckedCA.key == "store.tls")
        #expect(uncheckedCA.reason.contains("does not check the certificate"), "\(uncheckedCA)")
        let lonelyCA = try #require(configError(Self.minimal + "[store]\nbackend = \"postgres\"\nurl = \"postgres://g@db/gw?sslmode=prefer\"\nca_file = \"/ca.pem\"\n"))
        #expect(lonelyCA.key == "store.ca_file")
    }
}
