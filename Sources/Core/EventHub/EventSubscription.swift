/// What a subscription delivers.
public enum HubDelivery: Sendable, Equatable {
    /// The next events after the cursor, contiguous and in `seq` order.
    case events([HubEvent])
    /// Events after the cursor were pruned by retention: the consumer must reload its view and
    /// subscribe again from the snapshot's head.
    case lost(HubPosition)
}

/// Where a subscription reads the hub: the store itself, or the controller through its socket.
public protocol HubSource: Sendable {
    /// Events with `seq > after`, in `seq` order, at most `limit`.
    func events(after seq: Int64, limit: Int) async throws -> [HubEvent]
    func position() async throws -> HubPosition
}

/// An `AsyncSequence` of event batches after a cursor: the one way anything follows the hub (a
/// replica, the console). It wakes on `signals` (the store's change signals: data_version on
/// SQLite, NOTIFY on PostgreSQL, with a fallback poll); it never skips an event: seqs are
/// gap-free, so a gap can only mean pruning, which it reports as `.lost`.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = HubDelivery

    let source: any HubSource
    let after: Int64
    let batchSize: Int
    let signals: @Sendable () -> AsyncStream<Void>

    /// Reads `source`, waking on each of `signals` (made when iteration starts).
    public init(source: any HubSource, after cursor: Int64, batchSize: Int = 1000, signals: @escaping @Sendable () -> AsyncStream<Void>) {
        self.source = source
        self.after = cursor
        self.batchSize = batchSize
        self.signals = signals
    }

    /// Reads the store, waking on its change signals and at least every `fallbackPoll`.
    /// - Parameter commitWakeups: false polls every `fallbackPoll` only, as the reference design
    ///   does (kept for benchmarks).
    public init(
        log: any EventLog, after cursor: Int64, batchSize: Int = 1000, fallbackPoll: Duration = .seconds(1),
        commitWakeups: Bool = true
    ) {
        self.init(source: log, after: cursor, batchSize: batchSize) {
            commitWakeups ? log.changeSignals(fallbackPoll: fallbackPoll) : Self.timer(every: fallbackPoll)
        }
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(source: source, cursor: after, batchSize: batchSize, signals: signals())
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
        let source: any HubSource
        var cursor: Int64
        let batchSize: Int
        let signals: AsyncStream<Void>
        var wakeups: AsyncStream<Void>.Iterator
        var finished = false

        init(source: any HubSource, cursor: Int64, batchSize: Int, signals: AsyncStream<Void>) {
            self.source = source
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
                let events = try await source.events(after: cursor, limit: batchSize)
                if let first = events.first, first.seq == cursor + 1, Self.isContiguous(events) {
                    cursor = events.last!.seq
                    return .events(events)
                }
                let position = try await source.position()
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
