import Foundation
import NIOCore
import Synchronization

/// Encoded replies that do not depend on the caller (the dashboard), kept for `ttl`: any number
/// of consoles refreshing at once cost one read of the store and one JSON encoding per period.
final class ReplyCache: Sendable {
    private struct Entry {
        var body: ByteBuffer
        var at: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    let ttl: Duration

    init(ttl: Duration) { self.ttl = ttl }

    /// The body cached under `key` while fresh, else what `make` produces (then cached).
    func body(_ key: String, _ make: () async throws -> ByteBuffer) async throws -> ByteBuffer {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[key] }), now - hit.at < ttl { return hit.body }
        let body = try await make()
        entries.withLock { $0[key] = Entry(body: body, at: now) }
        return body
    }
}
