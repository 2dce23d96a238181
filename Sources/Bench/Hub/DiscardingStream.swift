import Foundation

/// A follower of a controller's event stream that reads its bytes and throws them away: a stand-in
/// for a console process, so that sixty of them measure the controller serving the streams, not
/// this bench process decoding them.
final class DiscardingStream: Sendable {
    private let fd: Int32

    init(socket path: String, after seq: Int64) throws {
        let descriptor = Foundation.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        fd = descriptor
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
            raw[path.utf8.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            Foundation.close(descriptor)
            throw BenchError("connect \(path): \(String(cString: strerror(errno)))")
        }
        let request = Array("GET /v1/events/stream?after=\(seq) HTTP/1.1\r\nHost: gwops\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while buffer.withUnsafeMutableBytes({ recv(descriptor, $0.baseAddress, $0.count, 0) }) > 0 {}
            Foundation.close(descriptor)
        }
    }

    /// Ends the stream (its reading thread closes the socket).
    func stop() { shutdown(fd, Int32(SHUT_RDWR)) }
}
