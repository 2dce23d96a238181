import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Serves `GET /metrics` on `[metrics] listen` until graceful shutdown.
public struct MetricsServer: Service {
    let host: String
    let port: Int
    let metrics: ControllerMetrics
    let logger: Logger

    public init(host: String, port: Int, metrics: ControllerMetrics, logger: Logger) {
        self.host = host
        self.port = port
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        var quiet = logger
        quiet.logLevel = .critical
        let (host, port, metrics, logger) = (host, port, metrics, logger)
        let router = Router()
        router.get("metrics") { _, _ in
            do {
                let text = try await metrics.render()
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: text)))
            } catch {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "store read failed: \(error)\n")))
            }
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "gwops-metrics"),
            onServerRunning: { _ in logger.info("metrics listening", metadata: ["address": "\(host):\(port)"]) }, logger: quiet)
        do {
            try await app.run()
        } catch {
            throw MetricsError(description: "cannot serve metrics on \(host):\(port): \(error)")
        }
    }
}

/// Why the metrics endpoint could not serve, in words.
public struct MetricsError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
