import Foundation
import Core

/// The simulated platform's state: artifacts, their deployments on this gateway, and faults.
/// Deterministic from its seed; admin operations move it like a real control plane would.
public actor SimulatedPlatform {
    public static let baseTime = Timestamp(rfc3339: "2026-01-01T00:00:00Z")!

    private var catalog: SimCatalog
    private var faults: [SimFault] = []

    public init(deployments: Int, seed: UInt64) {
        catalog = SimCatalog(seed: seed)
        for _ in 0..<deployments { _ = catalog.generate(at: nil) }
    }

    private var artifacts: [String: SimArtifact] { catalog.artifacts }
    private var order: [String] { catalog.order }

    // MARK: Reads

    /// Every artifact, in creation order.
    public func all() -> [SimArtifact] { order.compactMap { artifacts[$0] } }

    public func artifact(_ id: String) -> SimArtifact? { artifacts[id] }

    /// The deployments listed for this gateway, ordered RestApi, LlmProvider, LlmProxy, Mcp.
    public func listing(since: Timestamp?) -> [(SimArtifact, SimDeployment)] {
        let listed = order.compactMap { id -> (SimArtifact, SimDeployment)? in
            guard let a = artifacts[id], let d = a.deployment else { return nil }
            if let since, d.deployedAt <= since { return nil }  // performed_at > since, strictly
            return (a, d)
        }
        return ArtifactKind.listingOrder.flatMap { kind in listed.filter { $0.0.kind == kind } }
    }

    /// Content for the known deployment ids, keyed by deployment id.
    public func contents(deploymentIds: [String]) -> [(SimArtifact, SimDeployment)] {
        var seen = Set<String>()
        return deploymentIds.compactMap { depId in
            guard seen.insert(depId).inserted else { return nil }
            if let id = catalog.byDeployment[depId], let a = artifacts[id], let d = a.deployment, d.deploymentId == depId {
                return (a, d)
            }
            // An earlier deployment of an artifact still deployed on this gateway: the platform keeps its
            // content. Once the artifact has no deployment here, its old ones are unknown too.
            guard let old = catalog.history[depId], artifacts[old.id]?.deployment != nil, let d = old.deployment else { return nil }
            return (old, d)
        }
    }

    public func exists(_ id: String) -> Bool { artifacts[id] != nil }

    // MARK: Admin operations

    /// Creates `count` more artifacts, deployed now; returns them.
    public func create(count: Int, kind: ArtifactKind? = nil) -> [SimArtifact] {
        (0..<count).map { _ in catalog.generate(at: catalog.nextPerformedAt(), kind: kind, forceDeployed: true) }
    }

    /// Deploys the artifact with a new deployment id.
    public func deploy(_ id: String) -> SimArtifact? {
        guard var a = artifacts[id] else { return nil }
        a.revision += 1
        a.deployment = SimDeployment(
            deploymentId: catalog.newDeploymentId(), state: .deployed, deployedAt: catalog.nextPerformedAt())
        catalog.store(a)
        return a
    }

    /// Deploys with a given deployment id and time (tests that replay actions out of order).
    public func deploy(_ id: String, deploymentId: String, performedAt: Timestamp) -> SimArtifact? {
        guard var a = artifacts[id] else { return nil }
        a.revision += 1
        a.deployment = SimDeployment(deploymentId: deploymentId, state: .deployed, deployedAt: performedAt.millisecondPrecision)
        catalog.store(a)
        return a
    }

    /// Undeploys at a given time (tests that replay actions out of order).
    public func undeploy(_ id: String, performedAt: Timestamp) -> SimArtifact? {
        guard var a = artifacts[id], var d = a.deployment else { return nil }
        d.state = .undeployed
        d.deployedAt = performedAt.millisecondPrecision
        a.deployment = d
        catalog.store(a)
        return a
    }

    /// Marks the deployment undeployed (same deployment id, new time).
    public func undeploy(_ id: String) -> SimArtifact? {
        guard var a = artifacts[id], var d = a.deployment else { return nil }
        d.state = .undeployed
        d.deployedAt = catalog.nextPerformedAt()
        a.deployment = d
        catalog.store(a)
        return a
    }

    /// Removes the deployment record; the artifact stays on the platform.
    public func deleteDeployment(_ id: String) -> SimArtifact? {
        guard var a = artifacts[id], a.deployment != nil else { return nil }
        a.deployment = nil
        catalog.store(a)
        return a
    }

    /// Puts back a deployment record exactly as it was (same id and time): a listing that
    /// omitted an entry and then shows it again.
    public func restoreDeployment(_ id: String, _ deployment: SimDeployment) {
        guard var a = catalog.artifacts[id] else { return }
        a.deployment = deployment
        catalog.store(a)
    }

    /// Removes the artifact and its deployment.
    public func deleteArtifact(_ id: String) -> SimArtifact? {
        guard let a = catalog.artifacts.removeValue(forKey: id) else { return nil }
        if let dep = a.deployment { catalog.byDeployment[dep.deploymentId] = nil }
        catalog.order.removeAll { $0 == id }
        catalog.providers.removeAll { $0 == id }
        return a
    }

    // MARK: Faults

    public func addFault(_ fault: SimFault) { faults.append(fault) }

    public func clearFaults() { faults.removeAll() }

    /// Takes (and counts down) the first fault for the endpoint.
    public func takeFault(_ endpoint: SimEndpoint) -> SimFault? {
        guard let index = faults.firstIndex(where: { $0.endpoint == endpoint }) else { return nil }
        let fault = faults[index]
        let remaining = (fault.count ?? 1) - 1
        if remaining <= 0 { faults.remove(at: index) } else { faults[index].count = remaining }
        return fault
    }

}

/// The artifacts and the deterministic generator behind them.
struct SimCatalog {
    var rng: SeededRandom
    var artifacts: [String: SimArtifact] = [:]
    var order: [String] = []
    /// Artifact id by deployment id (current deployments only).
    var byDeployment: [String: String] = [:]
    /// Ids of LLM providers, in creation order (proxies pick one).
    var providers: [String] = []
    var lastPerformedAt = SimulatedPlatform.baseTime
    var created = 0

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    /// Every deployment ever made, as it was when deployed (content stays fetchable).
    var history: [String: SimArtifact] = [:]

    /// Saves an artifact and keeps the deployment index and history right.
    mutating func store(_ a: SimArtifact) {
        if let old = artifacts[a.id]?.deployment { byDeployment[old.deploymentId] = nil }
        if let dep = a.deployment {
            byDeployment[dep.deploymentId] = a.id
            if dep.state == .deployed, history[dep.deploymentId] == nil { history[dep.deploymentId] = a }
        }
        artifacts[a.id] = a
    }

    mutating func nextPerformedAt() -> Timestamp {
        let now = Timestamp.now.millisecondPrecision
        lastPerformedAt = max(now, Timestamp(milliseconds: lastPerformedAt.milliseconds + 1))
        return lastPerformedAt
    }

    mutating func newDeploymentId() -> String {
        "dep-" + String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 16)
    }

    /// The mix of kinds: mostly REST APIs, some of every other kind.
    static func kind(roll: UInt64) -> ArtifactKind {
        switch roll {
        case ..<46: .restApi
        case ..<60: .llmProvider
        case ..<74: .llmProxy
        case ..<88: .mcp
        case ..<94: .webSubApi
        default: .webBrokerApi
        }
    }

    mutating func generate(at performedAt: Timestamp?, kind requested: ArtifactKind? = nil, forceDeployed: Bool = false) -> SimArtifact {
        let index = created
        created += 1
        let roll = rng.next() % 100
        var kind = requested ?? Self.kind(roll: roll)
        if kind == .llmProxy, providers.isEmpty { kind = .llmProvider }
        let id = rng.uuid()
        let providerId: String? = kind == .llmProxy ? providers[Int(rng.next() % UInt64(providers.count))] : nil
        let stem = ContentGenerator.nouns[Int(rng.next() % UInt64(ContentGenerator.nouns.count))]
        let handle = "\(stem)-\(kind.archivePrefix)-\(index)"
        let at = performedAt ?? Timestamp(milliseconds: SimulatedPlatform.baseTime.milliseconds + Int64(index) * 1000 + Int64(rng.next() % 1000))
        lastPerformedAt = max(lastPerformedAt, at)  // later actions stay newer even if the clock is behind
        let state: RemoteState = !forceDeployed && rng.next() % 10 == 0 ? .undeployed : .deployed
        let major: UInt64 = 1 + rng.next() % 3
        let minor: UInt64 = rng.next() % 10
        let version = "v\(major).\(minor)"
        let artifact = SimArtifact(
            id: id, kind: kind, handle: handle, displayName: "\(stem.capitalized) \(kind.label) \(index)",
            version: version, providerId: providerId,
            deployment: SimDeployment(deploymentId: newDeploymentId(), state: state, deployedAt: at), revision: 1)
        store(artifact)
        if kind == .llmProvider { providers.append(id) }
        order.append(id)
        return artifact
    }
}
