import Core

extension GatewayStore {
    /// Moves the sync lease to another holder, as a takeover after a long pause would.
    public func stealSyncLeaseForTesting() async throws {
        _ = try await breakSyncLease()
        _ = try await beginSyncRun(
            trigger: .cli, requestedBy: "thief", holder: SyncLeaseHolder(token: "thief", host: "elsewhere", pid: 1), ttl: .seconds(60))
    }
}
