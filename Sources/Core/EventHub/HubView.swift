/// The artifacts as the hub describes them, kept up to date event by event: what a replica holds
/// and what a console shows. One rule for both: events apply in seq order; a key or subscription
/// event changes nothing here; an artifact event whose data cannot be read is never skipped: the
/// view must be reloaded from the store, which is authoritative.
public struct HubView: Sendable {
    public private(set) var artifacts: [String: ArtifactSummary]
    /// The seq of the last event applied (or the head the snapshot reflects).
    public private(set) var cursor: Int64
    /// `processedAt` of the last event applied; nil after a snapshot.
    public private(set) var appliedAt: Timestamp?

    public init(artifacts: [ArtifactSummary] = [], headSeq: Int64 = 0) {
        self.artifacts = Dictionary(artifacts.map { ($0.uuid, $0) }, uniquingKeysWith: { $1 })
        cursor = headSeq
    }

    public init(_ snapshot: ViewSnapshot) { self.init(artifacts: snapshot.artifacts, headSeq: snapshot.headSeq) }

    /// Starts again from a snapshot, keeping nothing.
    public mutating func reload(_ snapshot: ViewSnapshot) { self = HubView(snapshot) }

    /// Moves the cursor without applying anything (a replica that joins after retention pruned
    /// the hub's start: its snapshot is the view at that head).
    public mutating func skip(to seq: Int64) { cursor = seq }

    /// What applying an event did.
    public enum Outcome: Sendable, Equatable {
        /// Applied, or nothing to apply (an event this view has already seen, or not an artifact's).
        case applied
        /// The event describes an artifact but its data cannot be read: reload the view.
        case unreadable(seq: Int64)
    }

    /// Applies `event` if it follows the cursor; `willChange` hears of each artifact about to
    /// change, with its value before. On `.unreadable` nothing changed and the cursor stays.
    @discardableResult
    public mutating func apply(_ event: HubEvent, willChange: (String, ArtifactSummary?) -> Void = { _, _ in }) -> Outcome {
        guard event.seq > cursor else { return .applied }
        if ArtifactKind(rawValue: event.entityType) != nil {
            switch event.action {
            case .create, .update:
                guard let summary = ArtifactEvents.decode(event), summary.uuid == event.entityId else {
                    return .unreadable(seq: event.seq)
                }
                willChange(summary.uuid, artifacts[summary.uuid])
                artifacts[summary.uuid] = summary
            case .delete:
                willChange(event.entityId, artifacts[event.entityId])
                artifacts[event.entityId] = nil
            }
        }
        cursor = event.seq
        appliedAt = event.processedAt
        return .applied
    }

    /// Applies `events` in order, up to the first unreadable one.
    public mutating func apply(_ events: [HubEvent], willChange: (String, ArtifactSummary?) -> Void = { _, _ in }) -> Outcome {
        for event in events {
            if case .unreadable = apply(event, willChange: willChange) { return .unreadable(seq: event.seq) }
        }
        return .applied
    }
}
