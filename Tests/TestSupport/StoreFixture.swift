import Core
import Foundation

/// The storage backends the conformance tests run on.
public enum Backend: String, Sendable, CaseIterable {
    case sqlite

}


/// A throwaway store for one test.
public struct StoreFixture: Sendable {
    public let store: any GatewayStore
    public let directory: TemporaryDirectory
    public let backend: Backend

    public static let gatewayId = "gw-test"

    public static func make(_ backend: Backend = .sqlite, gatewayId: String = gatewayId) throws -> StoreFixture {
        let directory = TemporaryDirectory(prefix: "gwops-store")
        switch backend {
        case .sqlite:
            let store = try SQLiteStore(path: directory.file("gateway.db"), gatewayId: gatewayId)
            return StoreFixture(store: store, directory: directory, backend: backend)
        }
    }

    public var sqlitePath: String { directory.file("gateway.db") }

    public func remove() { directory.remove() }
}

/// Builders for artifacts in tests.
public enum Fixtures {
    public static func artifact(
        _ uuid: String, kind: ArtifactKind = .restApi, state: DesiredState = .deployed, deploymentId: String? = nil,
        deployedAt: Timestamp? = Timestamp(milliseconds: 1_700_000_000_000), handle: String? = nil
    ) -> Artifact {
        let handle = handle ?? "h-\(uuid)"
        let content = "kind: \(kind.rawValue)\nmetadata:\n  name: \(handle)\nspec:\n  displayName: \(handle)\n  version: v1\n"
        return Artifact(
            uuid: uuid, handle: handle, displayName: handle, version: "v1", kind: kind, desiredState: state,
            deploymentId: deploymentId ?? "dep-\(uuid)", deployedAt: deployedAt, content: content)
    }

    public static func remote(
        _ artifactId: String, kind: ArtifactKind = .restApi, state: RemoteState = .deployed, deploymentId: String? = nil,
        deployedAt: Timestamp = Timestamp(milliseconds: 1_700_000_000_000)
    ) -> RemoteDeployment {
        let dep = deploymentId ?? "dep-\(artifactId)"
        return RemoteDeployment(
            artifactId: artifactId, deploymentId: dep, kind: kind, state: state, deployedAt: deployedAt,
            etag: DeploymentEtag.make(deploymentId: dep, deployedAt: deployedAt))
    }

    public static func summary(
        _ uuid: String, kind: ArtifactKind = .restApi, state: DesiredState = .deployed, deploymentId: String? = nil,
        deployedAt: Timestamp? = Timestamp(milliseconds: 1_700_000_000_000), origin: Origin = .controlPlane
    ) -> ArtifactSummary {
        ArtifactSummary(
            uuid: uuid, handle: "h-\(uuid)", kind: kind, desiredState: state, deploymentId: deploymentId ?? "dep-\(uuid)",
            deployedAt: deployedAt, origin: origin)
    }
}
