internal import CompressNIO
import NIOCore

/// Inflates one gzip stream that arrives in pieces, through a fixed window, counting what it
/// produces: the output is handed on window by window and never held whole.
///
/// One member only: non-zero bytes after the end of the stream (a second member, garbage) are an
/// error once the input ends; zero padding is accepted.
final class GzipInflater {
    /// Largest number of bytes the stream may inflate to (the decompression-bomb guard).
    let maxBytes: Int
    /// Bytes inflated so far.
    private(set) var inflated = 0
    private let zlib: ZlibDecompressor
    private var window: ByteBuffer
    /// How many of the two magic bytes have been seen.
    private var magicSeen = 0
    /// Whether zlib reached the end of the gzip stream.
    private var ended = false
    private var trailingBytes = 0
    private var trailingNonZero = false

    init(maxBytes: Int, windowBytes: Int = 256 << 10) throws {
        self.maxBytes = maxBytes
        do {
            zlib = try ZlibDecompressor(algorithm: .gzip)
        } catch {
            throw ArchiveError.gzipCorrupt
        }
        window = ByteBufferAllocator().buffer(capacity: windowBytes)
    }

    /// Inflates `chunk`, handing each filled window to `output` (which may throw to stop).
    func push(_ chunk: ByteBuffer, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        var input = chunk
        try checkMagic(input.readableBytesView)
        try inflate(&input, output: output)
        if ended {
            trailingBytes += input.readableBytes
            trailingNonZero = trailingNonZero || input.readableBytesView.contains { $0 != 0 }
        }
    }

    /// The input has ended: hands on what zlib still holds, and throws unless the input was
    /// exactly one complete gzip stream.
    func finish(output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard magicSeen == 2 else { throw ArchiveError.notGzip }
        if !ended {
            // A sentinel byte: zlib leaves it unread once the stream is complete, and reads it as
            // more stream when the stream is cut short.
            var sentinel = ByteBufferAllocator().buffer(capacity: 1)
            sentinel.writeInteger(UInt8(0))
            try inflate(&sentinel, output: output)
            guard ended else { throw ArchiveError.gzipTruncated }
        }
        if trailingNonZero { throw ArchiveError.gzipTrailingData(bytes: trailingBytes) }
    }

    /// Inflates `input` window by window. Whatever came out before a problem is handed on first,
    /// so the problem reported is the first one in the data, however the input was cut.
    private func inflate(_ input: inout ByteBuffer, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        while input.readableBytes > 0 && !ended {
            window.clear()
            var full = false
            var corrupt = false
            do {
                try zlib.inflate(from: &input, to: &window)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                full = true
            } catch {
                corrupt = true
            }
            // zlib stops at the end of the stream and leaves what follows unread (and, called
            // again after the end, reads nothing).
            if !full && !corrupt && input.readableBytes > 0 { ended = true }
            let allowed = min(window.readableBytes, maxBytes - inflated)
            inflated += allowed
            if allowed > 0 { try window.withUnsafeReadableBytes { try output(UnsafeRawBufferPointer(rebasing: $0.prefix(allowed))) } }
            guard allowed == window.readableBytes else { throw ArchiveError.tooLarge(limit: maxBytes) }
            if corrupt { throw ArchiveError.gzipCorrupt }
        }
    }

    private func checkMagic(_ bytes: ByteBufferView) throws {
        let magic: [UInt8] = [0x1F, 0x8B]
        for byte in bytes.prefix(2 - magicSeen) {
            guard byte == magic[magicSeen] else { throw ArchiveError.notGzip }
            magicSeen += 1
        }
    }
}
