/// What a subscription delivers.
public enum HubDelivery: Sendable, Equatable {
    /// The next events after the cursor, contiguous and in `seq` order.
    case events([HubEvent])
    /// Events after the cursor were pruned by retention: the consumer must reload its view and
    /// subscribe again from the snapshot's head.
    case lost(HubPosition)
}

/// An `AsyncSequence` of event batches after a cursor. It wakes on the store's change signals
/// (data_version on SQLite) and a fallback poll; it never skips an event: seqs are gap-free, so
/// a gap can only mean pruning, which it reports as `.lost`.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = HubDelivery

    let log: any EventLog
    let after: Int64
    let batchSize: Int
    let fallbackPoll: Duration
    let commitWakeups: Bool

    /// - Parameter commitWakeups: false polls every `fallbackPoll` only, as the reference design
    ///   does (kept for benchmarks).
    public init(
        log: any EventLog, after cursor: Int64, batchSize: Int = 1000, fallbackPoll: Duration = .seconds(1),
        commitWakeups: Bool = true
    ) {
        self.log = log
        self.after = cursor
        self.batchSize = batchSize
        self.fallbackPoll = fallbackPoll
        self.commitWakeups = commitWakeups
    }

    public func makeAsyncIterator() -> Iterator {
        let signals = commitWakeups ? log.changeSignals(fallbackPoll: fallbackPoll) : Self.timer(every: fallbackPoll)
        return Iterator(log: log, cursor: after, batchSize: batchSize, signals: signals)
    }

    static func timer(every interval: Duration) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield()
            }
        }
        continuation.onTermination = { _ in ticks.cancel() }
        return stream
    }

    public struct Iterator: AsyncIteratorProtocol {
        let log: any EventLog
        var cursor: Int64
        let batchSize: Int
        let signals: AsyncStream<Void>
        var wakeups: AsyncStream<Void>.Iterator
        var finished = false

        init(log: any EventLog, cursor: Int64, batchSize: Int, signals: AsyncStream<Void>) {
            self.log = log
            self.cursor = cursor
            self.batchSize = batchSize
            self.signals = signals
            self.wakeups = signals.makeAsyncIterator()
        }

        static func isContiguous(_ events: [HubEvent]) -> Bool {
            zip(events, events.dropFirst()).allSatisfy { $1.seq == $0.seq + 1 }
        }

        public mutating func next() async throws -> HubDelivery? {
            while !finished, !Task.isCancelled {
                let events = try await log.events(after: cursor, limit: batchSize)
                if let first = events.first, first.seq == cursor + 1, Self.isContiguous(events) {
                    cursor = events.last!.seq
                    return .events(events)
                }
                let position = try await log.position()
                // Seqs are gap-free when committed, so a gap or a cursor past the head (a restored
                // database) can only mean events this cursor will never see: reload.
                if !events.isEmpty || position.hasLostEvents(appliedSeq: cursor) || cursor > position.headSeq {
                    finished = true
                    return .lost(position)
                }
                if position.headSeq > cursor {
                    // Committed between the two reads: read again at once.
                    continue
                }
                guard await wakeups.next() != nil else { return nil }
            }
            return nil
        }
    }
}
