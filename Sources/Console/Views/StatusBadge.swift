import Core

/// A status as the console shows it: a word, a glyph and a role, so it reads without color.
struct StatusBadge: Equatable, Sendable {
    var word: String
    var role: ThemeRole

    func glyph(_ g: Glyphs) -> String {
        switch role {
        case .ok: g.ok
        case .progress: g.progress
        case .warn: g.warn
        case .err: g.err
        case .pending: g.pending
        case .retained: g.retained
        default: g.unknown
        }
    }

    /// `✓ Deployed`
    func text(_ g: Glyphs) -> String { "\(glyph(g)) \(word)" }

    static func state(_ s: DesiredState) -> StatusBadge {
        s == .deployed ? StatusBadge(word: "Deployed", role: .ok) : StatusBadge(word: "Undeployed", role: .unknown)
    }

    static func sync(_ s: SyncStatus) -> StatusBadge {
        switch s {
        case .inSync: StatusBadge(word: "InSync", role: .ok)
        case .outOfSync: StatusBadge(word: "OutOfSync", role: .warn)
        case .pendingDeletion: StatusBadge(word: "PendingDeletion", role: .pending)
        case .retained: StatusBadge(word: "Retained", role: .retained)
        case .unknown: StatusBadge(word: "Unknown", role: .unknown)
        }
    }

    static func lag(_ s: LagStatus) -> StatusBadge {
        switch s {
        case .ok: StatusBadge(word: "OK", role: .ok)
        case .warming: StatusBadge(word: "WARMING", role: .unknown)
        case .warn: StatusBadge(word: "WARN", role: .warn)
        case .stall: StatusBadge(word: "STALL", role: .err)
        case .gone: StatusBadge(word: "GONE", role: .err)
        case .down: StatusBadge(word: "DOWN", role: .err)
        }
    }

    static func review(_ r: OrphanReview) -> StatusBadge {
        switch (r.status, r.verdict) {
        case (.pending, .unverified): StatusBadge(word: "Unverified", role: .warn)
        case (.pending, _): StatusBadge(word: "PendingDeletion", role: .pending)
        case (.retained, _): StatusBadge(word: "Retained", role: .retained)
        case (.retentionConfirmed, _): StatusBadge(word: "RetentionConfirmed", role: .retained)
        case (.deleted, _): StatusBadge(word: "Deleted", role: .unknown)
        case (.rejected, _): StatusBadge(word: "Rejected", role: .ok)
        case (.superseded, _): StatusBadge(word: "Superseded", role: .unknown)
        case (.approved, _): StatusBadge(word: "Approved", role: .progress)
        }
    }

    static func outcome(_ o: SyncOutcome) -> StatusBadge {
        switch o {
        case .running: StatusBadge(word: "Syncing", role: .progress)
        case .succeeded: StatusBadge(word: "OK", role: .ok)
        case .partial: StatusBadge(word: "WARN", role: .warn)
        case .failed: StatusBadge(word: "Failed", role: .err)
        case .abandoned: StatusBadge(word: "Failed", role: .err)
        }
    }
}
