import Core
import Foundation

/// The store invariants a crash must never break (the reliability campaign and crash tests):
/// the hub's seq is gap-free from 1; every artifact row is described by its newest event and
/// every event's entity is in the state its newest event says (no row change without its event,
/// no event without its row change); no open review points at a missing artifact.
public enum StoreInvariants {
    /// The broken invariants, each as a sentence; empty when all hold.
    public static func violations(in store: any GatewayStore) async throws -> [String] {
        var problems: [String] = []
        let head = try await store.position().headSeq
        var events: [HubEvent] = []
        while Int64(events.count) < head {
            let page = try await store.events(after: events.last?.seq ?? 0, limit: 5_000)
            if page.isEmpty { break }
            events += page
        }
        if events.map(\.seq) != (head > 0 ? Array(1...head) : []) {
            let again = try await store.position().headSeq
            problems.append("hub seq is not 1…\(head) without gaps (\(events.count) events read, head read again: \(again))")
        }
        var newest: [String: HubEvent] = [:]
        for event in events { newest[event.entityId] = event }
        let rows = Dictionary(uniqueKeysWithValues: try await store.artifactSummaries().map { ($0.uuid, $0) })
        for (uuid, row) in rows {
            guard let event = newest[uuid] else {
                problems.append("artifact \(uuid) has no event")
                continue
            }
            if event.action == .delete {
                problems.append("artifact \(uuid) exists but its newest event (seq \(event.seq)) deletes it")
            } else if ArtifactEvents.decode(event) != row {
                problems.append("artifact \(uuid) differs from its newest event (seq \(event.seq))")
            }
        }
        for (uuid, event) in newest where rows[uuid] == nil && event.action != .delete {
            problems.append("event seq \(event.seq) describes artifact \(uuid), which is not stored")
        }
        let open = try await store.reviews(statuses: [.pending, .approved, .retained, .retentionConfirmed], limit: 100_000)
        for review in open where rows[review.artifactUUID] == nil {
            problems.append("review \(review.id) (\(review.status.rawValue)) points at missing artifact \(review.artifactUUID)")
        }
        return problems
    }
}
