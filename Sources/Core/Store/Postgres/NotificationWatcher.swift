import Logging
internal import PostgresNIO

/// Wakes consumers on `NOTIFY` (sent in each publish transaction) over one dedicated listening
/// connection; when that connection drops, it reconnects and the fallback poll covers the gap.
enum NotificationWatcher {
    static func signals(config: PostgresConnection.Configuration, channel: String, fallbackPoll: Duration, logger: Logger) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        // Both tasks belong to the stream: they end when its consumer stops.
        let poll = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: fallbackPoll)
                continuation.yield()
            }
        }
        let listen = Task {
            var id = 1
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(configuration: config, id: id, logger: logger)
                    id += 1
                    let listened = await Result(awaiting: {
                        try await connection.listen(on: channel) { notifications in
                            continuation.yield()  // Anything committed while not listening.
                            for try await _ in notifications { continuation.yield() }
                        }
                    })
                    try? await connection.close()  // best effort: a lost connection is closed already
                    try listened.get()
                } catch {
                    logger.debug("listening connection lost; polling until it is back", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        continuation.onTermination = { _ in
            poll.cancel()
            listen.cancel()
        }
        return stream
    }
}
