/// Polls `condition` every 20 ms until it holds; throws when it did not within `seconds`.
public func waitUntil(seconds: Double, _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw HarnessError.timeout("a condition not met within \(seconds)s")
}
