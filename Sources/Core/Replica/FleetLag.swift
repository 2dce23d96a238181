/// Reads what lag evaluation needs for every replica and evaluates it.
public enum FleetLag {
    public static func reports(store: any GatewayStore, thresholds: LagThresholds) async throws -> [LagReport] {
        let replicas = try await store.replicas()
        guard !replicas.isEmpty else { return [] }
        let position = try await store.position()
        let now = try await store.databaseNow()
        let samples = try await store.lagSamples(since: now.subtracting(thresholds.window * 1.5))
        var reports: [LagReport] = []
        for replica in replicas {
            var firstUnapplied: Timestamp?
            if replica.appliedSeq < position.headSeq {
                firstUnapplied = try await store.processedAt(seq: replica.appliedSeq + 1)
            }
            let input = LagInput(
                replica: replica, position: position, firstUnappliedAt: firstUnapplied,
                samples: samples.filter { $0.replicaId == replica.replicaId }, now: now)
            reports.append(LagEvaluator.evaluate(input, thresholds: thresholds))
        }
        return reports.sorted { ($0.lagSeconds, $0.replicaId) > ($1.lagSeconds, $1.replicaId) }
    }
}
