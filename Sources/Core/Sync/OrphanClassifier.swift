/// Verdicts of the exists check, by artifact id, with the reason for unverified ones.
public struct OrphanVerdicts: Sendable, Codable, Equatable {
    public var verdicts: [String: OrphanVerdict] = [:]
    public var reasons: [String: String] = [:]

    public init() {}

    public func count(_ verdict: OrphanVerdict) -> Int { verdicts.values.filter { $0 == verdict }.count }
}

/// Asks the platform whether orphan candidates still exist, in chunks. A failed chunk leaves its
/// ids `unverified`: nothing is deleted on a failed check.
struct OrphanClassifier {
    let platform: any PlatformAPI
    let options: SyncOptions
    let clock: any Clock<Duration>

    func classify(_ candidates: [ArtifactSummary]) async throws -> OrphanVerdicts {
        var result = OrphanVerdicts()
        let ids = candidates.map(\.uuid)
        for chunk in ids.chunked(options.existsChunkSize) {
            let asked = Array(chunk)
            do {
                let answer = try await Retry.run(attempts: options.attempts, backoff: options.backoff, clock: clock) { [platform] in
                    try await platform.artifactsExist(asked)
                }
                for id in asked {
                    if let exists = answer[id] {
                        result.verdicts[id] = exists ? .existsOnPlatform : .deletedOnPlatform
                    } else {
                        result.verdicts[id] = .unverified
                        result.reasons[id] = "the exists check did not answer for this id"
                    }
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let reason = "exists check failed: \(error)"
                for id in asked {
                    result.verdicts[id] = .unverified
                    result.reasons[id] = reason
                }
            }
        }
        return result
    }
}
