import Core
import Foundation
public import NIOSSL
import PlatformSim

/// A simulated platform served over real HTTP on a free loopback port, for one test.
public struct SimulatorHarness: Sendable {
    public static let apiKey = "test-api-key-5f1c"

    public let platform: SimulatedPlatform
    /// The simulator itself: live-path changes (`perform`) and its connections (`live`).
    public let simulator: PlatformSimulator
    public let port: Int
    /// Served over TLS (https and wss).
    public var secure = false
    public var baseURL: String { "\(secure ? "https" : "http")://127.0.0.1:\(port)" }

    /// A client for the simulator's contract endpoints.
    public func client(apiKey: String = SimulatorHarness.apiKey, timeout: Duration = .seconds(10), tlsVerify: Bool = true) -> PlatformClient {
        PlatformClient(baseURL: baseURL, apiKey: apiKey, timeout: timeout, tlsVerify: tlsVerify)
    }

    /// Starts a simulator, runs `body`, stops the simulator.
    public static func with<T: Sendable>(
        deployments: Int, seed: UInt64 = 42, pingPeriod: Duration = .seconds(20), tls: TLSConfiguration? = nil,
        _ body: (SimulatorHarness) async throws -> T
    ) async throws -> T {
        let platform = SimulatedPlatform(deployments: deployments, seed: seed)
        let simulator = PlatformSimulator(platform: platform, apiKey: apiKey, pingPeriod: pingPeriod)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = Task {
            do { try await simulator.run(port: 0, tls: tls) { continuation.yield($0) } } catch { continuation.finish() }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError.simulatorDidNotStart }
        defer { server.cancel() }
        var harness = SimulatorHarness(platform: platform, simulator: simulator, port: port)
        harness.secure = tls != nil
        return try await body(harness)
    }
}

public enum HarnessError: Error {
    case simulatorDidNotStart
    case binaryNotFound(String)
    case timeout(String)
    case process(String)
}
