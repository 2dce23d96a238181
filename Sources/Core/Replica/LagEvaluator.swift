/// Computes a replica's lag status: a pure function, first match wins (DESIGN §4).
public enum LagEvaluator {
    public static func evaluate(_ input: LagInput, thresholds: LagThresholds) -> LagReport {
        let replica = input.replica
        let lagEvents = max(0, input.position.headSeq - replica.appliedSeq)
        let lagSeconds = lagEvents == 0 ? 0 : max(0, input.firstUnappliedAt.map { input.now.seconds(since: $0) } ?? 0)
        let headroom = lagEvents == 0 ? 1 : max(0, 1 - lagSeconds / thresholds.retention.seconds)
        let heartbeatAge = max(0, input.now.seconds(since: replica.heartbeatAt))
        func report(_ status: LagStatus, _ reason: String?) -> LagReport {
            LagReport(
                replicaId: replica.replicaId, status: status, reason: reason, lagEvents: lagEvents, lagSeconds: lagSeconds,
                headroom: headroom, heartbeatAge: heartbeatAge, appliedSeq: replica.appliedSeq)
        }

        if replica.state == .stopped || heartbeatAge > thresholds.heartbeatTimeout.seconds {
            let what = replica.state == .stopped ? "stopped" : "no heartbeat for \(Format.seconds(heartbeatAge))"
            return report(.down, "\(what); cursor at seq \(replica.appliedSeq)")
        }
        if replica.state == .reloading {
            return report(.gone, "missed events pruned by retention; reloading its view")
        }
        if input.position.hasLostEvents(appliedSeq: replica.appliedSeq) {
            return report(.gone, "cursor \(replica.appliedSeq) is below the retention floor \(input.position.oldestSeq)")
        }
        if lagEvents == 0 { return report(.ok, nil) }

        let windowSeconds = thresholds.window.seconds
        let window = input.samples.filter { input.now.seconds(since: $0.sampledAt) <= windowSeconds }
        let covered = window.first.map { input.now.seconds(since: $0.sampledAt) >= windowSeconds * 0.8 } ?? false
        if covered, let first = window.first, let last = window.last {
            if window.allSatisfy({ $0.appliedSeq == first.appliedSeq }) && last.lagEvents > 0 && first.lagEvents > 0 {
                return report(.stall, "cursor stuck at seq \(replica.appliedSeq) for \(Format.seconds(windowSeconds))")
            }
        }
        if headroom < thresholds.headroomWarnFraction {
            return report(.warn, "headroom \(Int(headroom * 100))% of retention left before events are pruned")
        }
        if let limit = thresholds.warnTimeLag?.seconds, lagSeconds > limit {
            return report(.warn, "time lag \(Format.seconds(lagSeconds)) over \(Format.seconds(limit))")
        }
        if lagEvents > thresholds.warnEvents {
            return report(.warn, "\(lagEvents) events behind (threshold \(thresholds.warnEvents))")
        }
        guard covered, let first = window.first, let last = window.last else {
            return report(.warming, "collecting lag samples")
        }
        if last.lagEvents >= first.lagEvents && first.lagEvents > 0 {
            return report(.warn, "lag not shrinking over \(Format.seconds(windowSeconds)) (\(first.lagEvents) → \(last.lagEvents))")
        }
        return report(.ok, nil)
    }

    /// The worst status of the fleet (`OK` for an empty fleet would lie: it is `WARMING`).
    public static func fleetStatus(_ reports: [LagReport]) -> LagStatus {
        reports.map(\.status).max() ?? .warming
    }
}

/// Small formatting helpers shared by reports and the CLI.
public enum Format {
    public static func seconds(_ s: Double) -> String {
        if s < 1 { return "\(Int((s * 1000).rounded()))ms" }
        if s < 90 { return "\(Int(s.rounded()))s" }
        if s < 5400 { return "\(Int((s / 60).rounded()))m" }
        return "\(Int((s / 3600).rounded()))h"
    }
}
