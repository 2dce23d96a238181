import Core
import Synchronization

/// The hub as a console reads it: through its `GatewayService`, with what the controller's event
/// stream pushed kept in front. An `EventSubscription` over it decides, as for a replica, what is
/// contiguous and what was lost; the pushed events only save it the round trips: while the stream
/// is live and the subscription has read all it pushed, "nothing new" needs no question to the
/// controller. Anything else (a gap in the stream, a stream that ended) is read from the service.
final class ServiceHub: HubSource {
    let service: any GatewayService
    private let state = Mutex(State())
    /// More pushed events than this waiting (a subscription that stopped reading) are dropped: the
    /// service has them.
    static let pushedLimit = 50_000

    private struct State {
        /// Pushed events the subscription has not read: contiguous, from `delivered + 1`.
        var pushed: [HubEvent] = []
        /// The last seq this source handed to the subscription.
        var delivered: Int64 = 0
        /// The stream brought every event up to `delivered`, and `pushed` continues it: while
        /// that holds, "nothing after `delivered`" is known without asking the controller.
        var live = false
    }

    init(service: any GatewayService) { self.service = service }

    /// The last seq handed to the subscription: where a reopened stream continues from.
    var delivered: Int64 { state.withLock { $0.delivered } }

    /// A batch the controller's stream delivered: kept when it continues what was read and
    /// pushed; a batch that does not (the stream skipped events, or the subscription is behind
    /// it) leaves the reading to the service until a batch continues what was read again.
    func pushed(_ batch: [HubEvent]) {
        state.withLock { s in
            let expected = (s.pushed.last?.seq ?? s.delivered) + 1
            let fresh = batch.drop { $0.seq < expected }
            guard let first = fresh.first else { return }
            if first.seq == expected, s.pushed.count + fresh.count <= Self.pushedLimit {
                s.pushed += fresh
                s.live = true
            } else {
                s.pushed = []
                s.live = false
            }
        }
    }

    /// The stream ended or reconnected: until it continues what was read, the service answers.
    func streamRestarted() {
        state.withLock { s in
            s.pushed = []
            s.live = false
        }
    }

    func events(after seq: Int64, limit: Int) async throws -> [HubEvent] {
        let local = state.withLock { s -> [HubEvent]? in
            if seq != s.delivered {
                // The subscription started again elsewhere (a reload): keep what still follows.
                s.delivered = seq
                s.pushed.removeAll { $0.seq <= seq }
                if s.pushed.first?.seq != seq + 1 {
                    s.pushed = []
                    s.live = false
                }
            }
            if !s.pushed.isEmpty {
                let taken = Array(s.pushed.prefix(limit))
                s.pushed.removeFirst(taken.count)
                s.delivered = taken.last!.seq
                return taken
            }
            return s.live ? [] : nil
        }
        if let local { return local }
        let events = try await service.events(after: seq, limit: limit)
        state.withLock { s in
            if let last = events.last?.seq, last > s.delivered {
                s.delivered = last
                s.pushed.removeAll { $0.seq <= last }
                if let first = s.pushed.first, first.seq != last + 1 {
                    s.pushed = []
                    s.live = false
                }
            }
        }
        return events
    }

    func position() async throws -> HubPosition {
        let caughtUp = state.withLock { s in s.live && s.pushed.isEmpty ? s.delivered : nil }
        // Caught up with a live stream: the head is what it delivered, and nothing was lost.
        if let head = caughtUp { return HubPosition(headSeq: head, oldestSeq: head + 1) }
        return try await service.hubPosition()
    }
}
