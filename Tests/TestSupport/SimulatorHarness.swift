import Core
import Foundation
import PlatformSim

/// A simulated platform served over real HTTP on a free loopback port, for one test.
public struct SimulatorHarness: Sendable {
    public static let apiKey = "test-api-key-5f1c"

    public let platform: SimulatedPlatform
    /// The simulator itself: live-path changes (`perform`) and its connections (`live`).
    public let simulator: PlatformSimulator
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A client for the simulator's contract endpoints.
    public func client(apiKey: String = SimulatorHarness.apiKey, timeout: Duration = .seconds(10)) -> PlatformClient {
        PlatformClient(baseURL: baseURL, apiKey: apiKey, timeout: timeout)
    }

    /// Starts a simulator, runs `body`, stops the simulator.
    public static func with<T: Sendable>(
        deployments: Int, seed: UInt64 = 42, pingPeriod: Duration = .seconds(20), _ body: (SimulatorHarness) async throws -> T
    ) async throws -> T {
        let platform = SimulatedPlatform(deployments: deployments, seed: seed)
        let simulator = PlatformSimulator(platform: platform, apiKey: apiKey, pingPeriod: pingPeriod)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = Task { try await simulator.run(port: 0) { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError.simulatorDidNotStart }
        defer { server.cancel() }
        return try await body(SimulatorHarness(platform: platform, simulator: simulator, port: port))
    }
}

public enum HarnessError: Error {
    case simulatorDidNotStart
    case binaryNotFound(String)
    case timeout(String)
    case process(String)
}
