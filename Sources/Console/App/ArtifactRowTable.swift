import Core

/// The artifacts view's rows, sorted by kind (in listing order), name and id, with their counts.
/// Kept up to date from changes as the hub brings them: an artifact changed in place (same kind
/// and name) has its row patched; new, renamed and deleted ones are merged in one pass. Rebuilt
/// whole when everything may have changed (a new snapshot, listing, reviews or key counts).
struct ArtifactRowTable {
    /// What decides a row besides its artifact.
    struct Context {
        var artifacts: [String: ArtifactSummary]
        var reviews: [OrphanReview]
        var remote: RemoteMirror?
        var keys: [String: Int]
    }

    private(set) var rows: [ArtifactRow] = []
    private(set) var counts = ArtifactCounts()
    private(set) var inSync = 0
    private(set) var outOfSync = 0
    /// For each artifact changed since the rows were last brought up to date: what its row
    /// shows (nil: it has none).
    private var shown: [String: ArtifactSummary?] = [:]

    var hasChanges: Bool { !shown.isEmpty }

    /// Notes that artifact `uuid` is changing; `current` is what the artifact map holds for it
    /// before the change (what the rows show, the first time since they were brought up to date).
    mutating func willChange(_ uuid: String, from current: ArtifactSummary?) {
        if shown.index(forKey: uuid) == nil { shown[uuid] = .some(current) }
    }

    mutating func rebuild(_ context: Context) {
        let reviews = Self.reviewsByArtifact(context.reviews)
        counts = ArtifactCounts()
        for a in context.artifacts.values { counts.add(a, 1) }
        rows = context.artifacts.values.map { Self.row($0, context, reviews) }.sorted { Self.precedes($0.summary, $1.summary) }
        inSync = rows.reduce(0) { $0 + ($1.sync == .inSync ? 1 : 0) }
        outOfSync = rows.reduce(0) { $0 + ($1.sync == .outOfSync ? 1 : 0) }
        shown.removeAll()
    }

    /// Brings the rows up to date with the changes noted since: patches, then one merge of the
    /// removed and added rows.
    mutating func applyChanges(_ context: Context) {
        guard hasChanges else { return }
        let reviews = Self.reviewsByArtifact(context.reviews)
        var removed: Set<Int> = [], added: [ArtifactRow] = []
        for (uuid, before) in shown {
            let after = context.artifacts[uuid]
            if let before {
                guard let index = index(of: before) else { return rebuild(context) }  // never expected: start again
                if let after, before.kind == after.kind, before.handle == after.handle {
                    count(rows[index], -1)
                    rows[index] = Self.row(after, context, reviews)
                    count(rows[index], 1)
                    continue
                }
                count(rows[index], -1)
                removed.insert(index)
            }
            if let after {
                let row = Self.row(after, context, reviews)
                count(row, 1)
                added.append(row)
            }
        }
        shown.removeAll()
        guard !removed.isEmpty || !added.isEmpty else { return }
        added.sort { Self.precedes($0.summary, $1.summary) }
        var merged: [ArtifactRow] = []
        merged.reserveCapacity(rows.count - removed.count + added.count)
        var next = added.makeIterator(), pending = next.next()
        for (index, row) in rows.enumerated() where !removed.contains(index) {
            while let a = pending, Self.precedes(a.summary, row.summary) {
                merged.append(a)
                pending = next.next()
            }
            merged.append(row)
        }
        while let a = pending {
            merged.append(a)
            pending = next.next()
        }
        rows = merged
    }

    private mutating func count(_ row: ArtifactRow, _ sign: Int) {
        counts.add(row.summary, sign)
        if row.sync == .inSync { inSync += sign }
        if row.sync == .outOfSync { outOfSync += sign }
    }

    /// Where the row showing `summary` is (binary search in the sorted rows).
    private func index(of summary: ArtifactSummary) -> Int? {
        var low = 0, high = rows.count
        while low < high {
            let mid = (low + high) / 2
            if Self.precedes(rows[mid].summary, summary) { low = mid + 1 } else { high = mid }
        }
        return low < rows.count && rows[low].summary.uuid == summary.uuid ? low : nil
    }

    private static let kindOrder = Dictionary(uniqueKeysWithValues: ArtifactKind.listingOrder.enumerated().map { ($1, $0) })

    /// The rows' order: kind in listing order, then name, then id.
    static func precedes(_ a: ArtifactSummary, _ b: ArtifactSummary) -> Bool {
        let ka = kindOrder[a.kind] ?? 0, kb = kindOrder[b.kind] ?? 0
        return ka != kb ? ka < kb : (a.handle, a.uuid) < (b.handle, b.uuid)
    }

    private static func reviewsByArtifact(_ reviews: [OrphanReview]) -> [String: OrphanReview] {
        Dictionary(reviews.map { ($0.artifactUUID, $0) }, uniquingKeysWith: { a, _ in a })
    }

    private static func row(_ s: ArtifactSummary, _ context: Context, _ reviews: [String: OrphanReview]) -> ArtifactRow {
        ArtifactRow(summary: s, sync: syncStatus(s, remote: context.remote, review: reviews[s.uuid]), keys: context.keys[s.uuid] ?? 0)
    }

    static func syncStatus(_ s: ArtifactSummary, remote: RemoteMirror?, review: OrphanReview?) -> SyncStatus {
        if let review, review.rowVersion == s.rowVersion {
            switch review.status {
            case .pending: return .pendingDeletion
            case .retained, .retentionConfirmed: return .retained
            default: break
            }
        }
        guard s.origin == .controlPlane, let remote else { return .unknown }
        return remote.status(of: s) ?? .outOfSync
    }
}

extension ArtifactCounts {
    /// Counts `a` in (`sign` 1) or out (-1).
    mutating func add(_ a: ArtifactSummary, _ sign: Int) {
        total += sign
        byKind[a.kind.rawValue, default: 0] += sign
        if byKind[a.kind.rawValue] == 0 { byKind[a.kind.rawValue] = nil }
        if a.desiredState == .deployed { deployed += sign } else { undeployed += sign }
    }
}
