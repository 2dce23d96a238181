import ControlSocket
import Core
import Foundation
import Logging
import TestSupport

/// A control socket served in this process over a test store, in a directory every account may
/// enter (tests run clients as other users), and a client connected to it as root.
struct ControlHarness {
    let directory: TemporaryDirectory
    let path: String
    let hub: HubBroadcast
    let client: ControlClient
    let server: ControlServer
    let task: Task<Void, any Error>

    static func start(
        store: any GatewayStore, engine: SyncEngine? = nil, platform: (any PlatformAPI)? = nil,
        policy: AccessPolicy = AccessPolicy(viewers: [], operators: [], serviceUID: getuid()),
        limits: ControlLimits = ControlLimits(), environment: [String: String] = [:]
    ) async throws -> ControlHarness {
        let directory = TemporaryDirectory(prefix: "gwops-control")
        chmod(directory.path, 0o755)
        let path = directory.file("gw.sock")
        let hub = HubBroadcast(limit: 100)
        let service = LocalGatewayService(
            store: store, engine: engine, platform: platform, thresholds: LagThresholds(), actor: Principal(user: "controller", clientAddress: nil))
        let (listening, announce) = AsyncStream.makeStream(of: Void.self)
        let server = ControlServer(
            path: path, service: service, policy: policy, hub: hub, logger: .silent("test"), limits: limits, onListening: { announce.yield() })
        let task = try await ServerTask.start("the control socket") { ready in
            async let served: Void = {
                defer { announce.finish() }
                try await server.run()
            }()
            for await _ in listening {
                await ready()
                break
            }
            try await served
        }
        guard let client = try await connect(path: path, environment: environment) else {
            task.cancel()
            throw HarnessError.process("the control socket \(path) does not answer")
        }
        return ControlHarness(directory: directory, path: path, hub: hub, client: client, server: server, task: task)
    }

    /// `ControlClient.connect` on a socket that serves, asked again for up to 30 s: a whoami that
    /// times out (3 s, as long as the CLI waits) only means a loaded machine, as at the start of
    /// `swift test`.
    static func connect(path: String, environment: [String: String] = [:]) async throws -> ControlClient? {
        try await ControlClient.awaitController(path: path, environment: environment)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        directory.remove()
    }
}

/// A Unix-socket connection that speaks raw bytes: what a broken or hostile client sends.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(path: String) throws {
        fd = try UnixSocket.connect(path)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything until the server closes the connection, off the cooperative pool; throws when
    /// it is still open after 30 s.
    func readToEnd() async throws -> String {
        let fd = fd
        return try await OffPool.run {
            var data = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n == 0 || (n < 0 && errno == ECONNRESET) { break }
                if n < 0 { throw HarnessError.process("the server kept the connection open for 30 s: \(String(cString: strerror(errno)))") }
                data += buffer[0..<n]
            }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
