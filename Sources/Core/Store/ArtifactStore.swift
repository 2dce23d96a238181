/// Local artifacts and what hangs off them. Every write that changes a row publishes its event in
/// the same transaction.
public protocol ArtifactStore: Sendable {
    func artifactSummaries() async throws -> [ArtifactSummary]
    func artifact(uuid: String) async throws -> Artifact?
    /// Guarded upserts of one batch and their events, in one transaction.
    func upsertArtifacts(_ artifacts: [Artifact]) async throws -> [WriteOutcome]
    /// Guarded status updates and their events, in one transaction.
    func updateStatuses(_ changes: [StatusChange]) async throws -> [WriteOutcome]
    func dependents(of uuids: [String]) async throws -> [String: Dependents]
    func artifactCounts() async throws -> ArtifactCounts
    /// API keys per artifact id (artifacts without keys are absent).
    func apiKeyCounts() async throws -> [String: Int]
}
