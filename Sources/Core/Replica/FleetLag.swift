/// Every replica's lag, evaluated from one snapshot of the gateway's tables.
public enum FleetLag {
    /// Reads the tables lag evaluation needs (one snapshot) and evaluates every replica.
    public static func reports(store: any GatewayStore, thresholds: LagThresholds) async throws -> [LagReport] {
        reports(try await store.tables(recentEvents: 0, lagWindow: samplesNeeded(thresholds)), thresholds: thresholds)
    }

    /// How much lag history the evaluation reads: the window, and some before it.
    public static func samplesNeeded(_ thresholds: LagThresholds) -> Duration { thresholds.window * 1.5 }

    /// Every replica of `tables` evaluated, worst time lag first.
    public static func reports(_ tables: GatewayTables, thresholds: LagThresholds) -> [LagReport] {
        let samples = Dictionary(grouping: tables.lagSamples, by: \.replicaId)
        return tables.replicas.map { replica in
            let input = LagInput(
                replica: replica, position: tables.position, firstUnappliedAt: tables.firstUnapplied[replica.replicaId],
                samples: samples[replica.replicaId] ?? [], now: tables.now)
            return LagEvaluator.evaluate(input, thresholds: thresholds)
        }.sorted { ($0.lagSeconds, $0.replicaId) > ($1.lagSeconds, $1.replicaId) }
    }
}
