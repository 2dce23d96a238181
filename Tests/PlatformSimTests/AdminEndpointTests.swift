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
            // The same instant (the listing writes it as Go does, trailing zeros trimmed).
            #expect(Timestamp(rfc3339: mine.deployedAt) == newAt)
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
}
