import CompressNIO
import Foundation
import NIOCore
import Testing
@testable import Core
@testable import PlatformSim

/// Golden fixtures written by Go's own archive/tar, compress/gzip, yaml.v3 and encoding/json
/// (scripts/wire-fixtures), as the platform writes them: they pin the wire format
/// independently of the simulator, and the simulator is checked against them too.
struct WireFixtureTests {
    static let restID = "01972fa7-9000-72fd-bc07-2182654f163f"
    static let providerID = "01972fa7-9100-7aaa-8bbb-0000000000a1"
    static let webSubID = "01972fa7-9200-7ccc-9ddd-0000000000b2"

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Wire/\(name)", withExtension: nil))
        return Array(try Data(contentsOf: url))
    }

    static func text(_ name: String) throws -> String { String(decoding: try fixture(name), as: UTF8.self) }

    @Test func theGoArchiveIsReadAndEveryDocumentTakesTheFastPath() throws {
        let gz = try Self.fixture("batch.tar.gz")
        // Go's gzip header at BestSpeed, as WIRE.md says
        #expect(Array(gz.prefix(10)) == [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x04, 0xFF])
        let files = try ArchiveReader.read(gzipped: gz)
        let listing = try PlatformClient.decodeListing(try Self.fixture("deployments.json"), now: Timestamp(rfc3339: "2026-12-01T00:00:00Z")!)
        let planned = listing.deployments.map { PlannedFetch(deployment: $0, reason: .new) }
        let mapped = ArtifactMapper.map(planned, files: files)
        #expect(mapped.missing.isEmpty)
        let byId = Dictionary(uniqueKeysWithValues: mapped.artifacts.map { ($0.uuid, $0) })
        #expect(byId[Self.restID]?.handle == "petstore-api-7")
        #expect(byId[Self.restID]?.version == "1.0")
        #expect(byId[Self.providerID]?.displayName == "OpenAI: production")
        #expect(byId[Self.webSubID]?.kind == .webSubApi)
        #expect(byId[Self.webSubID]?.desiredState == .undeployed)
        for artifact in mapped.artifacts { #expect(YAMLMetadata.scanned(artifact.content) != nil, "\(artifact.handle)") }
    }

    @Test func theListingReadsGoTimesInAnyOffsetAndTheNewKinds() throws {
        let listing = try PlatformClient.decodeListing(try Self.fixture("deployments.json"), now: Timestamp(rfc3339: "2026-12-01T00:00:00Z")!)
        #expect(listing.unreadable.isEmpty)
        #expect(listing.deployments.map(\.kind) == [.restApi, .llmProvider, .webSubApi])
        #expect(listing.deployments.map(\.deployedAt) == [
            Timestamp(rfc3339: "2026-11-30T09:15:00Z")!, Timestamp(rfc3339: "2026-11-30T09:15:00.100Z")!,
            Timestamp(rfc3339: "2026-11-30T09:15:00.123Z")!,
        ])
        #expect(try Self.text("deployments.json").contains("+05:30"))
    }

    @Test func keyAndSubscriptionListingsAreReadWithoutTheToken() throws {
        let keys = try PlatformClient.decodeAPIKeys(try Self.fixture("api-keys.json"))
        #expect(keys == [APIKeyRecord(
            id: "0197b000-0000-7000-8000-0000000000k1", artifactUUID: Self.restID, name: "mobile-app", maskedKey: "***x7Qz",
            hashes: ["sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"], status: "active",
            createdAt: Timestamp(rfc3339: "2026-11-01T08:00:00Z")!, updatedAt: Timestamp(rfc3339: "2026-11-02T08:00:00.250Z"))])
        let subscriptions = try PlatformClient.decodeSubscriptions(try Self.fixture("subscriptions.json"))
        #expect(subscriptions == [SubscriptionRecord(
            id: "0197e000-0000-7000-8000-0000000000s1", artifactUUID: Self.restID, applicationId: "0197c000-0000-7000-8000-0000000000a9",
            planId: "0197d000-0000-7000-8000-0000000000p1", status: "ACTIVE", createdAt: Timestamp(rfc3339: "2026-11-03T08:00:00Z")!)])
        #expect(!"\(subscriptions)".contains("subtok-golden"))
    }

    /// Go writes a nil slice as `null`.
    @Test func nullListsAreEmptyButAMissingListingIsAnError() throws {
        #expect(try PlatformClient.decodeListing(Array(#"{"deployments":null}"#.utf8)).deployments.isEmpty)
        #expect(throws: PlatformError.self) { try PlatformClient.decodeListing(Array("{}".utf8)) }
        #expect(try PlatformClient.decodeAPIKeys(Array("null".utf8)).isEmpty)
        #expect(try PlatformClient.decodeSubscriptions(Array("null".utf8)).isEmpty)
        let nullHashes = #"[{"uuid":"k","name":"n","maskedApiKey":"***1","apiKeyHashes":null,"artifactUuid":"a","status":"revoked"}]"#
        #expect(try PlatformClient.decodeAPIKeys(Array(nullHashes.utf8)).first?.hashes == [:])
    }

    @Test func everyLiveFrameDecodes() throws {
        let events = try Self.text("events.jsonl").split(separator: "\n").map { try LiveEvent.decode(String($0)) }
        guard events.count == 11 else {
            Issue.record("\(events.count) frames")
            return
        }
        #expect(events[0] == .connectionAck(gatewayId: "gw-1", connectionId: "c-1"))
        #expect(events[1] == .deployed(LiveDeploymentAction(
            kind: .restApi, artifactId: Self.restID, deploymentId: "0197a001-0000-7000-8000-000000000001",
            performedAt: Timestamp(rfc3339: "2026-11-30T09:15:00.123Z")!, performedAtText: "2026-11-30T09:15:00.123Z")))
        #expect(events[2] == .undeployed(LiveDeploymentAction(
            kind: .webSubApi, artifactId: Self.webSubID, deploymentId: "0197a001-0000-7000-8000-000000000003",
            performedAt: Timestamp(rfc3339: "2026-11-30T09:15:00.5Z")!, performedAtText: "2026-11-30T09:15:00.5Z")))
        #expect(events[3] == .deleted(kind: .llmProvider, artifactId: Self.providerID))
        guard case .apiKeyCreated(let key) = events[4] else {
            Issue.record("\(events[4])")
            return
        }
        #expect(key.name == "partner" && key.maskedKey == "***Ab12" && key.hashes["sha256"]?.count == 64 && key.artifactUUID == Self.restID)
        #expect(events[5] == .apiKeyRevoked(artifactId: Self.restID, keyName: "mobile-app"))
        guard case .subscriptionUpserted(let s) = events[6] else {
            Issue.record("\(events[6])")
            return
        }
        #expect(s.id == "0197e000-0000-7000-8000-0000000000s2" && s.planId == "0197d000-0000-7000-8000-0000000000p1")
        #expect(events[7] == .subscriptionDeleted(artifactId: Self.restID, subscriptionId: "0197e000-0000-7000-8000-0000000000s1"))
        #expect(events[8] == .ignored(type: "subscriptionPlan.updated"))
        #expect(events[9] == .ignored(type: "websub.hmacsecret.created"))
        #expect(events[10] == .platformError(message: "maximum connections reached for gateway gw-1"))
    }

    /// The simulator writes YAML byte for byte as yaml.v3 does.
    @Test func theSimulatorsYAMLWriterMatchesYAMLv3() throws {
        let rest = YAMLV3Writer.document([
            ("apiVersion", .str("gateway.api-platform.wso2.com/v1")), ("kind", .str("RestApi")),
            ("metadata", .map([("name", .str("petstore-api-7")), ("labels", .map([("project-id", .str(Self.restID))]))])),
            ("spec", .map([
                ("displayName", .str("Petstore API 7")), ("version", .str("1.0")), ("context", .str("/petstore-api-7")),
                ("vhosts", .map([("main", .str("_gateway_default_"))])),
                ("upstream", .map([("main", .map([("url", .str("https://backend-3.internal.example:8443/petstore-api-7"))]))])),
                ("operations", .seq([
                    .map([
                        ("method", .str("PUT")), ("path", .str("/items")),
                        ("policies", .seq([.map([
                            ("name", .str("set-headers")), ("version", .str("v1")), ("params", .map([("value", .str(#"{{ secret "x" }}"#))])),
                        ])])),
                    ]),
                    .map([("method", .str("GET")), ("path", .str("/items/{id}"))]),
                ])),
            ])),
        ])
        #expect(rest == (try Self.text("api-\(Self.restID).yaml")))
        let provider = YAMLV3Writer.document([
            ("apiVersion", .str("gateway.api-platform.wso2.com/v1")), ("kind", .str("LlmProvider")),
            ("metadata", .map([("name", .str("openai-prod"))])),
            ("spec", .map([
                ("displayName", .str("OpenAI: production")), ("version", .str("v2")), ("template", .str("openai")),
                ("upstream", .map([("url", .str("https://api.openai.example/v1"))])),
                ("policies", .seq([.map([
                    ("name", .str("token-budget")), ("version", .str("v1")),
                    ("params", .map([("enabled", .bool(true)), ("tokensPerMinute", .int(50000))])),
                ])])),
            ])),
        ])
        #expect(provider == (try Self.text("llm-provider-\(Self.providerID).yaml")))
    }

    /// The simulator's archive has the platform's layout: regular files only, ustar headers with
    /// empty owner names, Go's gzip header, two zero blocks at the end.
    @Test func theSimulatorsArchiveHasTheGoLayout() throws {
        var catalog = SimCatalog(seed: 3)
        let contents = (0..<12).map { _ -> (SimArtifact, SimDeployment) in
            let a = catalog.generate(at: nil, forceDeployed: true)
            return (a, a.deployment!)
        }
        let gz = try PlatformSimulator.archive(contents)
        #expect(Array(gz.prefix(10)) == [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x04, 0xFF])
        var buffer = ByteBuffer(bytes: gz)
        var inflated = try buffer.decompress(with: .gzip())
        let tar = inflated.readBytes(length: inflated.readableBytes) ?? []
        #expect(tar.count % 512 == 0)
        #expect(tar.suffix(1024).allSatisfy { $0 == 0 })
        var offset = 0
        var names: [String] = []
        while offset + 512 <= tar.count - 1024 {
            let header = Array(tar[offset..<offset + 512])
            #expect(header[156] == UInt8(ascii: "0"), "only regular files")
            #expect(Array(header[257..<263]) == Array("ustar\0".utf8))
            #expect(header[265..<297].allSatisfy { $0 == 0 } && header[297..<329].allSatisfy { $0 == 0 }, "empty uname/gname")
            names.append(String(decoding: header[0..<100].prefix { $0 != 0 }, as: UTF8.self))
            let size = Int(String(decoding: header[124..<135], as: UTF8.self), radix: 8) ?? 0
            offset += 512 + (size + 511) / 512 * 512
        }
        #expect(Set(names) == Set(contents.map { "\($0.1.deploymentId)/\($0.0.kind.archivePrefix)-\($0.0.id).yaml" }))
        #expect(offset == tar.count - 1024)
    }
}
