import Core

/// JSON bodies of the simulator (contract types plus admin ones).
enum SimWire {
    struct Deployment: Codable {
        var artifactId: String
        var deploymentId: String
        var kind: String
        var state: String
        var deployedAt: String
        var etag: String
    }

    struct Deployments: Codable { var deployments: [Deployment] }
    struct BatchRequest: Codable { var deploymentIds: [String]? }
    struct ExistsRequest: Codable { var artifactIds: [String]? }
    struct ExistsEntry: Codable { var artifactId: String; var exists: Bool }
    struct ExistsResponse: Codable { var artifacts: [ExistsEntry] }
    struct ErrorBody: Codable { var code: Int; var message: String; var description: String }

    struct StateEntry: Codable {
        var artifactId: String
        var kind: String
        var handle: String
        var hasDeployment: Bool
        var state: String?
        var deploymentId: String?
        var deployedAt: String?
    }

    struct State: Codable { var artifacts: [StateEntry] }
    struct CreateRequest: Codable { var count: Int?; var kind: String? }
    struct NamedFault: Codable { var name: String; var summary: String }

    /// `POST /sim/faults`: a catalog fault by name, or one described field by field.
    struct FaultRequest: Codable {
        var name: String?
        var endpoint: SimEndpoint?
        var status: Int?
        var count: Int?
        var delayMs: Int?
        var corruptArchive: Bool?
        var truncateBody: Bool?
        var mutation: SimMutation?
    }

    static func deployment(_ a: SimArtifact, _ d: SimDeployment) -> Deployment {
        Deployment(
            artifactId: a.id, deploymentId: d.deploymentId, kind: a.kind.rawValue, state: d.state.wire,
            deployedAt: GoTime.json(d.deployedAt), etag: d.etag)
    }

    static func stateEntry(_ a: SimArtifact) -> StateEntry {
        StateEntry(
            artifactId: a.id, kind: a.kind.rawValue, handle: a.handle, hasDeployment: a.deployment != nil,
            state: a.deployment?.state.wire, deploymentId: a.deployment?.deploymentId,
            deployedAt: a.deployment?.deployedAt.rfc3339)
    }
}
