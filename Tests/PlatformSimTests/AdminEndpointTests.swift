import Foundation
import PlatformSim
import TestSupport
import Testing

@testable import Core

/// The simulator's `/sim` admin endpoints, over HTTP: state, platform changes and fault injection.
struct AdminEndpointTests {
    // MARK: - State

    @Test func stateListsEveryArtifactWithItsDeployment() async throws {
        try await SimulatorHarness.with(deployments: 30) { h in
            let response = try await RawHTTP(h).get("/sim/state")
            #expect(response.status == 200)
            let state = try response.json(Wire.State.self).artifacts
            let expected = await h.platform.all()
            #expect(state.map(\.artifactId) == expected.map(\.id))
            for (entry, artifact) in zip(state, expected) {
                #expect(entry.kind == artifact.kind.rawValue)
                #expect(entry.handle == artifact.handle)
                #expect(entry.hasDeployment)
                #expect(entry.state == artifact.deployment?.state.wire)
                #expect(entry.deploymentId == artifact.deployment?.deploymentId)
                #expect(entry.deployedAt == artifact.deployment?.deployedAt.rfc3339)
            }
        }
    }

    // MARK: - Changes

    @Test func deployGivesANewDeploymentThatTheListingShows() async throws {
        try await SimulatorHarness.with(deployments: 30) { h in
            // Given a listed artifact
            let http = RawHTTP(h)
            let before = try #require(await h.platform.all().first)
            let old = try #require(before.deployment)

            // When it is deployed through the admin endpoint
            let response = try await http.post("/sim/artifacts/\(before.id)/deploy", json: "")

            // Then it answers the new deployment, and the contract listing carries it
            #expect(response.status == 200)
            let entry = try response.json(Wire.StateEntry.self)
            #expect(entry.artifactId == before.id)
            #expect(entry.state == "DEPLOYED")
            let newId = try #require(entry.deploymentId)
            #expect(newId != old.deploymentId)
            let newAt = try #require(entry.deployedAt.flatMap(Timestamp.init(rfc3339:)))
            #expect(newAt > old.deployedAt)
            let listed = try await http.listDeployments().json(Wire.Deployments.self).deployments
            let mine = try #require(listed.first { $0.artifactId == before.id })
            #expect(mine.deploymentId == newId)
            #expect(mine.deployedAt == entry.deployedAt)
            #expect(mine.etag == DeploymentEtag.make(deploymentId: newId, deployedAt: newAt))
        }
    }

    @Test func undeployKeepsTheDeploymentIdAndMarksItUndeployed() async throws {
        try await SimulatorHarness.with(deployments: 30) { h in
            let before = try #require(await h.platform.all().first { $0.deployment?.state == .deployed })
            let old = try #require(before.deployment)

            let response = try await RawHTTP(h).post("/sim/artifacts/\(before.id)/undeploy", json: "")

            #expect(response.status == 200)
            let entry = try response.json(Wire.StateEntry.self)
            #expect(entry.state == "UNDEPLOYED")
            #expect(entry.deploymentId == old.deploymentId)
            #expect(try #require(entry.deployedAt.flatMap(Timestamp.init(rfc3339:))) > old.deployedAt)
            #expect(await h.platform.artifact(before.id)?.deployment?.state == .undeployed)
        }
    }

    @Test func deletingTheDeploymentKeepsTheArtifact() async throws {
        try await SimulatorHarness.with(deployments: 30) { h in
            // Given a listed artifact
            let http = RawHTTP(h)
            let artifact = try #require(await h.platform.all().first)

            // When its deployment is deleted
            let response = try await http.delete("/sim/artifacts/\(artifact.id)/deployment")

            // Then the platform still has the artifact, without a deployment, and no longer lists it
            #expect(response.status == 200)
            let entry = try response.json(Wire.StateEntry.self)
            #expect(!entry.hasDeployment)
            #expect(entry.deploymentId == nil)
            let exists = try await http.exists([artifact.id]).json(Wire.ExistsResponse.self).artifacts
            #expect(exists == [.init(artifactId: artifact.id, exists: true)])
            let listed = try await http.listDeployments().json(Wire.Deployments.self).deployments
            #expect(!listed.contains { $0.artifactId == artifact.id })
            let state = try await http.get("/sim/state").json(Wire.State.self).artifacts
            #expect(state.first { $0.artifactId == artifact.id }?.hasDeployment == false)
        }
    }

    @Test func deletingTheArtifactRemovesItEverywhere() async throws {
        try await SimulatorHarness.with(deployments: 30) { h in
            let http = RawHTTP(h)
            let artifact = try #require(await h.platform.all().first)

            let response = try await http.delete("/sim/artifacts/\(artifact.id)")

            #expect(response.status == 200)
            #expect(try response.json(Wire.StateEntry.self).artifactId == artifact.id)
            let exists = try await http.exists([artifact.id]).json(Wire.ExistsResponse.self).artifacts
            #expect(exists == [.init(artifactId: artifact.id, exists: false)])
            let listed = try await http.listDeployments().json(Wire.Deployments.self).deployments
            #expect(!listed.contains { $0.artifactId == artifact.id })
            let state = try await http.get("/sim/state").json(Wire.State.self).artifacts
            #expect(state.count == 29)
            #expect(!state.contains { $0.artifactId == artifact.id })
        }
    }

    @Test func createAddsDeployedArtifacts() async throws {
        try await SimulatorHarness.with(deployments: 10) { h in
            // Given 10 artifacts
            let http = RawHTTP(h)

            // When 3 more are created
            let response = try await http.post("/sim/artifacts", json: #"{"count":3}"#)

            // Then the 3 are answered, deployed, and listed with the others
            #expect(response.status == 200)
            let made = try response.json(Wire.State.self).artifacts
            #expect(made.count == 3)
            #expect(made.allSatisfy { $0.hasDeployment && $0.state == "DEPLOYED" })
            let listed = Set(try await http.listDeployments().json(Wire.Deployments.self).deployments.map(\.artifactId))
            #expect(made.allSatisfy { listed.contains($0.artifactId) })
            #expect(try await http.get("/sim/state").json(Wire.State.self).artifacts.count == 13)
        }
    }

    @Test func createOfAKindMakesThatKind() async throws {
        try await SimulatorHarness.with(deployments: 10) { h in
            let response = try await RawHTTP(h).post("/sim/artifacts", json: #"{"count":2,"kind":"Mcp"}"#)
            #expect(response.status == 200)
            #expect(try response.json(Wire.State.self).artifacts.map(\.kind) == ["Mcp", "Mcp"])
        }
    }

    enum Change: String, CaseIterable, Sendable {
        case deploy, undeploy, deleteDeployment, deleteArtifact
    }

    @Test(arguments: Change.allCases)
    func changeOfUnknownArtifactIsNotFound(change: Change) async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            let http = RawHTTP(h)
            let id = "no-such-artifact"
            let response: RawResponse
            switch change {
            case .deploy: response = try await http.post("/sim/artifacts/\(id)/deploy", json: "")
            case .undeploy: response = try await http.post("/sim/artifacts/\(id)/undeploy", json: "")
            case .deleteDeployment: response = try await http.delete("/sim/artifacts/\(id)/deployment")
            case .deleteArtifact: response = try await http.delete("/sim/artifacts/\(id)")
            }
            #expect(response.status == 404)
            let error = try response.json(ErrorBody.self)
            #expect(error.code == 404)
            #expect(error.description.contains(id))
            #expect(await h.platform.all().count == 5)
        }
    }

    @Test func undeployOfArtifactWithoutDeploymentIsNotFound() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            let id = try #require(await h.platform.all().first?.id)
            _ = await h.platform.deleteDeployment(id)
            let response = try await RawHTTP(h).post("/sim/artifacts/\(id)/undeploy", json: "")
            #expect(response.status == 404)
        }
    }

    enum AdminCall: String, CaseIterable, Sendable {
        case state, create, deploy, deleteArtifact, addFault, clearFaults
    }

    @Test(arguments: AdminCall.allCases)
    func adminCallWithoutApiKeyIsUnauthorizedAndChangesNothing(call: AdminCall) async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            // Given a platform and a request without api-key
            let http = RawHTTP(h)
            let before = await h.platform.all()
            let id = before[0].id

            // When an admin endpoint is called
            let response: RawResponse
            switch call {
            case .state: response = try await http.get("/sim/state", apiKey: nil)
            case .create: response = try await http.post("/sim/artifacts", json: #"{"count":3}"#, apiKey: nil)
            case .deploy: response = try await http.post("/sim/artifacts/\(id)/deploy", json: "", apiKey: nil)
            case .deleteArtifact: response = try await http.delete("/sim/artifacts/\(id)", apiKey: nil)
            case .addFault:
                response = try await http.post("/sim/faults", json: #"{"endpoint":"deployments","status":500}"#, apiKey: nil)
            case .clearFaults: response = try await http.delete("/sim/faults", apiKey: nil)
            }

            // Then it is refused and nothing changed
            #expect(response.status == 401)
            #expect(try response.json(ErrorBody.self).code == 401)
            #expect(await h.platform.all() == before)
            #expect(await h.platform.takeFault(.deployments) == nil)
        }
    }

    // MARK: - Faults

    @Test func statusFaultAnswersThatStatusCountTimesThenRecovers() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            // Given a 500 fault for the next two listings
            let http = RawHTTP(h)
            let added = try await http.addFault(["endpoint": "deployments", "status": 500, "count": 2])
            #expect(added.status == 204)

            // When the listing is called three times
            let first = try await http.listDeployments()
            let second = try await http.listDeployments()
            let third = try await http.listDeployments()

            // Then the first two fail with the error body, the third is served
            #expect([first.status, second.status, third.status] == [Int]([500, 500, 200]))
            #expect(try first.json(ErrorBody.self).code == 500)
            #expect(try third.json(Wire.Deployments.self).deployments.count == 5)
        }
    }

    @Test func faultOnOneEndpointLeavesTheOthersAlone() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            let http = RawHTTP(h)
            _ = try await http.addFault(["endpoint": "exists", "status": 503, "count": 1])
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }

            #expect(try await http.listDeployments().status == 200)
            #expect(try await http.fetchBatch(ids).status == 200)
            #expect(try await http.exists(["x"]).status == 503)
            #expect(try await http.exists(["x"]).status == 200)
        }
    }

    @Test func fetchBatchStatusFault() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            let http = RawHTTP(h)
            _ = try await http.addFault(["endpoint": "fetch-batch", "status": 502])
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            #expect(try await http.fetchBatch(ids).status == 502)
            #expect(try await http.fetchBatch(ids).status == 200)
        }
    }

    @Test func delayFaultHoldsTheResponse() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            // Given a 600 ms delay on the next listing
            let http = RawHTTP(h)
            _ = try await http.addFault(["endpoint": "deployments", "delayMs": 600])
            let clock = ContinuousClock()

            // When the listing is called twice
            let delayedStart = clock.now
            let delayed = try await http.listDeployments()
            let delayedTime = clock.now - delayedStart
            let normalStart = clock.now
            let normal = try await http.listDeployments()
            let normalTime = clock.now - normalStart

            // Then the first answer comes after the delay, complete; the second does not wait
            #expect(delayed.status == 200)
            #expect(try delayed.json(Wire.Deployments.self).deployments.count == 5)
            #expect(delayedTime >= .milliseconds(600))
            #expect(normal.status == 200)
            #expect(normalTime < .milliseconds(600))
        }
    }

    @Test func truncateBodyFaultCutsTheJSONInHalf() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            // Given the full listing and a truncation fault
            let http = RawHTTP(h)
            let full = try await http.listDeployments()
            _ = try await http.addFault(["endpoint": "deployments", "truncateBody": true])

            // When the listing is called
            let cut = try await http.listDeployments()

            // Then it is a 200 with half the bytes, not valid JSON
            #expect(cut.status == 200)
            #expect(cut.body.count == full.body.count / 2)
            #expect(cut.text.hasPrefix(#"{"deployments":[{"#))
            #expect(throws: (any Error).self) { try cut.json(Wire.Deployments.self) }
        }
    }

    @Test func truncateBodyFaultCutsTheArchive() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            let http = RawHTTP(h)
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            _ = try await http.addFault(["endpoint": "fetch-batch", "truncateBody": true])
            let cut = try await http.fetchBatch(ids)
            #expect(cut.status == 200)
            #expect(throws: ArchiveError.self) { try ArchiveReader.read(gzipped: cut.body) }
        }
    }

    @Test func corruptArchiveFaultServesAnUnreadableArchive() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            // Given a corruption fault on fetch-batch
            let http = RawHTTP(h)
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            _ = try await http.addFault(["endpoint": "fetch-batch", "corruptArchive": true])

            // When a batch is fetched twice
            let corrupt = try await http.fetchBatch(ids)
            let healthy = try await http.fetchBatch(ids)

            // Then the first archive is a 200 that does not read, the second reads
            #expect(corrupt.status == 200)
            #expect(throws: ArchiveError.self) { try ArchiveReader.read(gzipped: corrupt.body) }
            #expect(try ArchiveReader.read(gzipped: healthy.body).count == ids.count)
        }
    }

    @Test func clearingFaultsRestoresNormalAnswers() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            // Given pending faults on every endpoint
            let http = RawHTTP(h)
            for endpoint in ["deployments", "fetch-batch", "exists"] {
                let added = try await http.addFault(["endpoint": endpoint, "status": 500, "count": 10])
                #expect(added.status == 204)
            }

            // When the faults are cleared
            let cleared = try await http.delete("/sim/faults")
            #expect(cleared.status == 204)

            // Then every endpoint answers normally
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            #expect(try await http.listDeployments().status == 200)
            #expect(try await http.fetchBatch(ids).status == 200)
            #expect(try await http.exists(["x"]).status == 200)
        }
    }

    @Test func faultWithUnknownEndpointIsBadRequest() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            let response = try await RawHTTP(h).addFault(["endpoint": "nowhere", "status": 500])
            #expect(response.status == 400)
            #expect(await h.platform.takeFault(.deployments) == nil)
        }
    }
}
