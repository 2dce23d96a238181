import AsyncHTTPClient
import Core
import Foundation
import NIOCore

/// Reads the controller's event stream (`GET /v1/events/stream`, one JSON event a line) batch by
/// batch, for `ControlClient.follow`: the request is made by the first `next()`, each later one
/// returns the events of the next chunk that completes a line.
///
/// `@unchecked Sendable`: an `AsyncThrowingStream(unfolding:)` calls `next()` from one consumer,
/// one call at a time, so the mutable state is never touched concurrently.
final class EventLineReader: @unchecked Sendable {
    let client: ControlClient
    let uri: String
    private var body: HTTPClientResponse.Body.AsyncIterator?
    private var pending = Data()
    private let decoder = JSONDecoder()

    init(client: ControlClient, uri: String) {
        self.client = client
        self.uri = uri
    }

    /// The next non-empty batch; nil when the controller ended the stream.
    func next() async throws -> [HubEvent]? {
        if body == nil {
            let response = try await client.http.execute(client.request(uri, method: .GET), timeout: .hours(24 * 365))
            guard response.status == .ok else { throw try await client.failure(response) }
            body = response.body.makeAsyncIterator()
        }
        while let chunk = try await body?.next() {
            pending.append(contentsOf: chunk.readableBytesView)
            var batch: [HubEvent] = []
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                let line = pending[start..<newline]
                if !line.isEmpty { batch.append(try decoder.decode(HubEvent.self, from: line)) }
                start = pending.index(after: newline)
            }
            pending = Data(pending[start...])  // the unfinished line, once per chunk
            if !batch.isEmpty { return batch }
        }
        return nil
    }
}
