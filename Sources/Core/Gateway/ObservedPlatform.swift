import Synchronization

/// What the controller last heard from the platform: whether its last call got an answer, and
/// when it last listed the gateway's deployments. Read by the metrics.
public final class PlatformHealth: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// nil until the platform was called once.
        public var reachable: Bool?
        public var lastAnswerAt: Timestamp?
        public var lastListingAt: Timestamp?
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func record(answered: Bool, listing: Bool = false) {
        let now = Timestamp.now
        state.withLock { s in
            s.reachable = answered
            if answered { s.lastAnswerAt = now }
            if answered, listing { s.lastListingAt = now }
        }
    }
}

/// A platform whose calls are recorded in a `PlatformHealth`. A reply with an error status
/// counts as an answer (the platform is up and said no); a transport failure does not.
public struct ObservedPlatform: PlatformAPI {
    let inner: any PlatformAPI
    let health: PlatformHealth

    public init(_ inner: any PlatformAPI, health: PlatformHealth) {
        self.inner = inner
        self.health = health
    }

    public func listDeployments(since: Timestamp?) async throws -> DeploymentListing {
        try await observe(listing: true) { try await inner.listDeployments(since: since) }
    }

    public func fetchDeployments(_ deploymentIds: [String]) async throws -> [String: [ArchiveFile]] {
        try await observe { try await inner.fetchDeployments(deploymentIds) }
    }

    public func artifactsExist(_ artifactIds: [String]) async throws -> [String: Bool] {
        try await observe { try await inner.artifactsExist(artifactIds) }
    }

    public func liveConnectionRefusal() async -> PlatformError? {
        await inner.liveConnectionRefusal()
    }

    private func observe<T>(listing: Bool = false, _ call: () async throws -> T) async throws -> T {
        do {
            let result = try await call()
            health.record(answered: true, listing: listing)
            return result
        } catch let error as PlatformError where error.isAnswer {
            health.record(answered: true)
            throw error
        } catch {
            health.record(answered: false)
            throw error
        }
    }
}

extension PlatformError {
    /// The platform answered (with an error status, or a body that could not be used).
    var isAnswer: Bool {
        if case .transport = self { return false }
        return true
    }
}
