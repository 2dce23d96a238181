extension SQLStore {
    /// How many runs and reviews the tables carry.
    static var tableRuns: Int { 20 }
    static var tableReviews: Int { 100_000 }

    public func tables(recentEvents: Int, lagWindow: Duration) async throws -> GatewayTables {
        let gatewayId = self.gatewayId
        return try await snapshot("read the gateway's tables") { s in
            let now = try await Self.databaseNow(s)
            let position = try await Self.position(gatewayId: gatewayId, s)
            let replicas = try await Self.replicas(gatewayId: gatewayId, s)
            var firstUnapplied: [String: Timestamp] = [:]
            for replica in replicas where replica.appliedSeq < position.headSeq {
                firstUnapplied[replica.replicaId] = try await Self.processedAt(gatewayId: gatewayId, seq: replica.appliedSeq + 1, s)
            }
            return GatewayTables(
                now: now, position: position, replicas: replicas, firstUnapplied: firstUnapplied,
                lagSamples: try await Self.lagSamples(since: now.subtracting(lagWindow), s),
                openReviews: try await Self.reviews(statuses: [.pending, .retained, .retentionConfirmed], limit: Self.tableReviews, s),
                runs: try await Self.syncRuns(gatewayId: gatewayId, limit: Self.tableRuns, s),
                recentEvents: recentEvents > 0 ? try await Self.recentEvents(gatewayId: gatewayId, limit: recentEvents, s) : [],
                apiKeys: try await Self.apiKeyCounts(s))
        }
    }
}
