import Foundation
import PlatformSim
import TestSupport
import Testing

@testable import Core

/// The simulator serves the platform contract (`contract/platform-internal-api.yaml`), including
/// the error statuses a real client never provokes on purpose.
struct SimulatorContractTests {
    enum Endpoint: String, CaseIterable, Sendable {
        case list, fetchBatch, exists
    }

    enum KeyProblem: String, CaseIterable, Sendable {
        case missing, wrong
    }

    // MARK: - Authentication

    @Test(arguments: Endpoint.allCases, KeyProblem.allCases)
    func callWithoutValidApiKeyIsUnauthorizedWithErrorBody(endpoint: Endpoint, problem: KeyProblem) async throws {
        try await SimulatorHarness.with(deployments: 10) { h in
            // Given a simulator and a request with no api-key, or a wrong one
            let http = RawHTTP(h)
            let key: String? = problem == .missing ? nil : SimulatorHarness.apiKey + "-wrong"
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }

            // When the endpoint is called
            let response: RawResponse
            switch endpoint {
            case .list: response = try await http.listDeployments(apiKey: key)
            case .fetchBatch: response = try await http.fetchBatch(ids, apiKey: key)
            case .exists: response = try await http.exists(["a"], apiKey: key)
            }

            // Then it answers 401 with the contract's error body
            #expect(response.status == 401)
            let error = try response.json(ErrorBody.self)
            #expect(error.code == 401)
            #expect(!error.message.isEmpty)
            #expect(!error.description.isEmpty)
            #expect(response.headers.first(name: "Content-Type") == "application/json")
        }
    }

    // MARK: - fetch-batch Accept

    @Test(arguments: ["application/json", "application/x-tar+gzip; q=1", "*/*", "application/gzip"])
    func fetchBatchWithOtherAcceptIsNotAcceptable(accept: String) async throws {
        try await SimulatorHarness.with(deployments: 10) { h in
            // Given known deployment ids
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }

            // When fetch-batch is asked for with an Accept other than the exact archive type
            let response = try await RawHTTP(h).fetchBatch(ids, accept: accept)

            // Then it answers 406 with the error body
            #expect(response.status == 406)
            #expect(try response.json(ErrorBody.self).code == 406)
        }
    }

    @Test func fetchBatchWithoutAcceptIsNotAcceptable() async throws {
        try await SimulatorHarness.with(deployments: 10) { h in
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            let response = try await RawHTTP(h).fetchBatch(ids, accept: nil)
            #expect(response.status == 406)
        }
    }

    // MARK: - Bad requests

    @Test func fetchBatchWithEmptyDeploymentIdsIsBadRequest() async throws {
        try await SimulatorHarness.with(deployments: 10) { h in
            let response = try await RawHTTP(h).fetchBatch([])
            #expect(response.status == 400)
            let error = try response.json(ErrorBody.self)
            #expect(error.code == 400)
            #expect(error.description.contains("deploymentIds"))
        }
    }

    @Test func existsWithEmptyArtifactIdsIsBadRequest() async throws {
        try await SimulatorHarness.with(deployments: 10) { h in
            let response = try await RawHTTP(h).exists([])
            #expect(response.status == 400)
            let error = try response.json(ErrorBody.self)
            #expect(error.code == 400)
            #expect(error.description.contains("artifactIds"))
        }
    }

    @Test(arguments: ["yesterday", "2026-13-01T00:00:00Z", "2026-03-04", "2026-03-04T10:30:00", "1700000000"])
    func listingWithBadSinceIsBadRequest(since: String) async throws {
        try await SimulatorHarness.with(deployments: 10) { h in
            let query = "?since=" + (since.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? since)
            let response = try await RawHTTP(h).listDeployments(query: query)
            #expect(response.status == 400)
            let error = try response.json(ErrorBody.self)
            #expect(error.code == 400)
            #expect(error.description.contains(since))
        }
    }

    // MARK: - Listing

    @Test func listingIsOrderedByKindAndCoversEveryDeployment() async throws {
        try await SimulatorHarness.with(deployments: 200) { h in
            // Given a platform whose artifacts were generated in mixed kind order
            let expected = await h.platform.all().compactMap { a in a.deployment.map { (a.id, $0.deploymentId) } }

            // When the deployments are listed
            let response = try await RawHTTP(h).listDeployments()
            let listed = try response.json(Wire.Deployments.self).deployments

            // Then every deployment is there once, grouped by kind
            #expect(response.status == 200)
            #expect(Set(listed.map(\.artifactId)) == Set(expected.map(\.0)))
            #expect(listed.count == expected.count)
            var kindsInOrder: [String] = []
            for d in listed where kindsInOrder.last != d.kind { kindsInOrder.append(d.kind) }
            #expect(kindsInOrder == ["RestApi", "LlmProvider", "LlmProxy", "Mcp", "WebSubApi", "WebBrokerApi"])
            #expect(Set(listed.map(\.state)).isSubset(of: ["DEPLOYED", "UNDEPLOYED"]))
        }
    }

    @Test func listingEtagIsTheDeterministicDeploymentEtag() async throws {
        try await SimulatorHarness.with(deployments: 50) { h in
            let listed = try await RawHTTP(h).listDeployments().json(Wire.Deployments.self).deployments
            #expect(!listed.isEmpty)
            for d in listed {
                let deployedAt = try #require(Timestamp(rfc3339: d.deployedAt))
                #expect(d.etag == DeploymentEtag.make(deploymentId: d.deploymentId, deployedAt: deployedAt))
            }
        }
    }

    @Test func listingSinceKeepsOnlyDeploymentsAfterIt() async throws {
        try await SimulatorHarness.with(deployments: 100) { h in
            // Given a full listing and a cut-off inside its time range
            let http = RawHTTP(h)
            let all = try await http.listDeployments().json(Wire.Deployments.self).deployments
            let times = try all.map { try #require(Timestamp(rfc3339: $0.deployedAt)) }.sorted()
            let cutoff = times[times.count / 2]

            // When the listing is asked for since the cut-off
            let query = "?since=" + (cutoff.rfc3339.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let response = try await http.listDeployments(query: query)
            let recent = try response.json(Wire.Deployments.self).deployments

            // Then only deployments strictly after the cut-off are listed (performed_at > since)
            #expect(response.status == 200)
            let expected = all.filter { Timestamp(rfc3339: $0.deployedAt)! > cutoff }
            #expect(recent.count == expected.count)
            #expect(recent.count < all.count)
            #expect(Set(recent.map(\.deploymentId)) == Set(expected.map(\.deploymentId)))
        }
    }

    @Test func listingSinceWithAnOffsetIsTheSameInstant() async throws {
        try await SimulatorHarness.with(deployments: 60) { h in
            let http = RawHTTP(h)
            let utc = try await http.listDeployments(query: "?since=2026-01-01T00%3A00%3A30Z").json(Wire.Deployments.self)
            let offset = try await http.listDeployments(query: "?since=2026-01-01T01%3A00%3A30%2B01%3A00").json(Wire.Deployments.self)
            #expect(utc.deployments.map(\.deploymentId) == offset.deployments.map(\.deploymentId))
            #expect(!utc.deployments.isEmpty)
            #expect(utc.deployments.count < 60)
        }
    }

    @Test func listingSinceInTheFutureIsEmpty() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            let response = try await RawHTTP(h).listDeployments(query: "?since=2999-01-01T00%3A00%3A00Z")
            #expect(response.status == 200)
            #expect(try response.json(Wire.Deployments.self).deployments.isEmpty)
        }
    }

    // MARK: - Exists

    @Test func existsAnswersOneEntryPerIdInRequestOrder() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            // Given known ids (one without a deployment) mixed with unknown ones
            let known = await h.platform.all().map(\.id)
            _ = await h.platform.deleteDeployment(known[3])
            let asked = ["unknown-1", known[5], known[3], "unknown-2", known[0], known[5]]

            // When existence is checked
            let response = try await RawHTTP(h).exists(asked)

            // Then each id is answered once, in request order, unknown ones false
            #expect(response.status == 200)
            let entries = try response.json(Wire.ExistsResponse.self).artifacts
            #expect(entries == [
                .init(artifactId: "unknown-1", exists: false), .init(artifactId: known[5], exists: true),
                .init(artifactId: known[3], exists: true), .init(artifactId: "unknown-2", exists: false),
                .init(artifactId: known[0], exists: true), .init(artifactId: known[5], exists: true),
            ])
        }
    }

    @Test func existsHasNoServerSideLimit() async throws {
        try await SimulatorHarness.with(deployments: 10) { h in
            let known = await h.platform.all().map(\.id)
            let asked = (0..<5_000).map { $0 % 7 == 0 ? known[$0 % known.count] : "unknown-\($0)" }

            let response = try await RawHTTP(h).exists(asked)

            #expect(response.status == 200)
            let entries = try response.json(Wire.ExistsResponse.self).artifacts
            #expect(entries.map(\.artifactId) == asked)
            #expect(entries.map(\.exists) == asked.map { !$0.hasPrefix("unknown-") })
        }
    }

    // MARK: - fetch-batch

    @Test func fetchBatchServesOneFilePerDeploymentUnderItsId() async throws {
        try await SimulatorHarness.with(deployments: 120) { h in
            // Given one deployment of each kind and an id the platform does not know
            let artifacts = await h.platform.all()
            let picked = ArtifactKind.allCases.compactMap { kind in artifacts.first { $0.kind == kind && $0.deployment != nil } }
            #expect(picked.count == ArtifactKind.allCases.count)
            let ids = picked.map { $0.deployment!.deploymentId }

            // When the batch is fetched
            let response = try await RawHTTP(h).fetchBatch(ids + ["dep-not-known"])

            // Then the archive holds {deploymentId}/{prefix}-{artifactId}.yaml for the known ids only
            #expect(response.status == 200)
            #expect(response.headers.first(name: "Content-Type") == "application/x-tar+gzip")
            let disposition = try #require(response.headers.first(name: "Content-Disposition"))
            #expect(disposition.hasPrefix("attachment"))
            let contents = try ArchiveReader.readContents(gzipped: response.body)
            #expect(contents.skipped.isEmpty)
            #expect(Set(contents.files.keys) == Set(ids))
            for artifact in picked {
                let files = try #require(contents.files[artifact.deployment!.deploymentId])
                #expect(files.map(\.fileName) == ["\(artifact.kind.archivePrefix)-\(artifact.id).yaml"])
            }
        }
    }

    @Test func fetchBatchOfOnlyUnknownIdsIsAnEmptyArchive() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            let response = try await RawHTTP(h).fetchBatch(["dep-x", "dep-y"])
            #expect(response.status == 200)
            #expect(try ArchiveReader.read(gzipped: response.body).isEmpty)
        }
    }

    @Test func generatedYAMLIsRealisticSizeAndNamedByHandle() async throws {
        try await SimulatorHarness.with(deployments: 120) { h in
            // Given every deployment of a mixed platform
            let artifacts = await h.platform.all().filter { $0.deployment != nil }
            let byDeployment = Dictionary(uniqueKeysWithValues: artifacts.map { ($0.deployment!.deploymentId, $0) })

            // When all of them are fetched
            let response = try await RawHTTP(h).fetchBatch(Array(byDeployment.keys))
            let files = try ArchiveReader.read(gzipped: response.body)

            // Then each YAML is 0.5–4 KB and names the artifact by its handle, kind and version
            #expect(files.count == byDeployment.count)
            #expect(Set(artifacts.map(\.kind)) == Set(ArtifactKind.allCases))
            for (deploymentId, entries) in files {
                let artifact = try #require(byDeployment[deploymentId])
                let file = try #require(entries.first)
                #expect((500...4000).contains(file.content.count), "\(file.fileName) is \(file.content.count) bytes")
                let meta = YAMLMetadata(yaml: String(decoding: file.content, as: UTF8.self))
                #expect(meta.handle == artifact.handle)
                #expect(meta.kind == artifact.kind.rawValue)
                #expect(meta.version == artifact.version)
                #expect(meta.displayName == artifact.displayName)
            }
        }
    }
}
