import ControlSocket
import Core
import Foundation
import TestSupport

/// A real `gwops controller` process (no startup sync, no platform) on a fresh store of one
/// backend, serving a control socket: what the socket suites measure through.
struct BenchController {
    let store: any GatewayStore
    let socket: String
    private let process: Process

    /// Creates the store, lets `seed` fill it, then starts the controller and waits for its socket;
    /// `control` adds to its `[control]` section (and may open others after it).
    static func start(
        _ backend: HubBackend, _ postgres: PostgresServer, _ dir: TemporaryDirectory, control: String = "",
        seed: (any GatewayStore) async throws -> Void = { _ in }
    ) async throws -> BenchController {
        let run = UUID().uuidString.prefix(8).lowercased()
        let storeLines: String
        let store: any GatewayStore
        switch backend {
        case .sqlite:
            let path = dir.file("socket-\(run).db")
            store = try await HubRun.open(.sqlite, path)
            storeLines = "path = \"\(path)\""
        case .postgres:
            let name = "socket_\(run)"
            try await StoreFixture.createDatabase(name, port: postgres.port)
            let url = postgres.url(database: name)
            store = try await HubRun.open(.postgres, url)
            storeLines = "backend = \"postgres\"\nurl = \"\(url)\""
        }
        try await seed(store)
        let socket = dir.file("s-\(run).sock")
        let config = dir.file("socket-\(run).toml")
        try """
            [gateway]
            id = "gw-bench"
            [platform]
            url = "http://127.0.0.1:9"
            api_key_env = "GWOPS_BENCH_UNUSED"
            [store]
            \(storeLines)
            [control]
            socket = "\(socket)"
            \(control)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let process = try GwopsBinary.start(
            ["controller", "--config", config, "--replica-id", "socket-bench", "--skip-sync"], logPrefix: "controller-\(run)", in: dir)
        let controller = BenchController(store: store, socket: socket, process: process)
        // Asked a second at a time, so a controller that died at start is noticed at once.
        let deadline = ContinuousClock.now + .seconds(60)
        while (try? await ControlClient.awaitController(path: socket, environment: [:], patience: .seconds(1))) == nil {
            guard ContinuousClock.now < deadline, process.isRunning else {
                controller.stop()
                throw BenchError("the controller's socket \(socket) did not answer")
            }
        }
        return controller
    }

    /// A new client of the controller's socket.
    func client() async throws -> ControlClient {
        guard let client = try await ControlClient.connect(path: socket, environment: [:]) else { throw BenchError("no controller on \(socket)") }
        return client
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        (store as? PostgresStore)?.close()
    }
}
