import Foundation
import TestSupport

/// A follower of a controller's event stream that reads its bytes and throws them away: a stand-in
/// for a console process, so that sixty of them measure the controller serving the streams, not
/// this bench process decoding them.
final class DiscardingStream: Sendable {
    private let fd: Int32

    init(socket path: String, after seq: Int64) throws {
        let descriptor = try UnixSocket.connect(path)
        fd = descriptor
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
