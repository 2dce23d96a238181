import Core

/// A compact copy of the platform's listing, enough to tell whether each artifact is in sync:
/// a 64-bit hash per artifact id and deployment id instead of whole `RemoteDeployment`s, so
/// 100,000 deployments take a few MB.
struct RemoteMirror: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var deployment: UInt64
        var deployedAt: Int64
        var state: DesiredState?
    }

    private(set) var entries: [UInt64: Entry] = [:]

    /// Replaces everything (a full listing); returns whether anything changed.
    mutating func replace(with deployments: [RemoteDeployment]) -> Bool {
        var fresh: [UInt64: Entry] = [:]
        fresh.reserveCapacity(deployments.count)
        for d in deployments { fresh[Self.hash(d.artifactId)] = Self.entry(d) }
        defer { entries = fresh }
        return fresh != entries
    }

    /// Adds or updates entries (a listing `since` the last full one); returns whether anything changed.
    mutating func merge(_ deployments: [RemoteDeployment]) -> Bool {
        var changed = false
        for d in deployments {
            let key = Self.hash(d.artifactId), entry = Self.entry(d)
            if entries[key] != entry {
                entries[key] = entry
                changed = true
            }
        }
        return changed
    }

    /// `inSync` or `outOfSync` for a listed artifact, nil when the platform does not list it.
    func status(of s: ArtifactSummary) -> SyncStatus? {
        guard let e = entries[Self.hash(s.uuid)] else { return nil }
        let same = e.deployment == Self.hash(s.deploymentId ?? "") && e.state == s.desiredState
            && e.deployedAt == s.deployedAt?.microseconds
        return same ? .inSync : .outOfSync
    }

    static func entry(_ d: RemoteDeployment) -> Entry {
        Entry(deployment: hash(d.deploymentId), deployedAt: d.deployedAt.microseconds, state: d.state.desiredState)
    }

    /// FNV-1a, 64 bits: stable across runs, and collisions among a gateway's ids are negligible.
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}
