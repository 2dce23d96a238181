import CompressNIO
import Core
import NIOCore

/// Builds ustar archives in memory, as the simulated platform serves them.
///
/// Besides well-formed files and directories, ``addEntry(name:type:content:linkName:sizeOverride:)``
/// writes any type flag, name and declared size, so tests can build hostile archives (links,
/// devices, absolute paths, `..` segments, sizes that lie). Names or link targets longer than
/// 100 bytes are preceded by a GNU `././@LongLink` entry.
public struct TarWriter: Sendable {
    /// Type flag of a regular file.
    public static let regularType = UInt8(ascii: "0")
    /// Type flag of a hard link.
    public static let hardLinkType = UInt8(ascii: "1")
    /// Type flag of a symbolic link.
    public static let symbolicLinkType = UInt8(ascii: "2")
    /// Type flag of a character device.
    public static let characterDeviceType = UInt8(ascii: "3")
    /// Type flag of a block device.
    public static let blockDeviceType = UInt8(ascii: "4")
    /// Type flag of a directory.
    public static let directoryType = UInt8(ascii: "5")
    /// Type flag of a FIFO.
    public static let fifoType = UInt8(ascii: "6")

    private static let blockSize = 512

    /// The entries written so far, without the two end-of-archive blocks.
    public private(set) var bytes: [UInt8] = []
    /// Modification time written in every header, in seconds since the epoch.
    public var mtime: Int

    /// Headers as Go's `archive/tar` writes them for the platform: ustar, uid/gid 0, empty
    /// user and group names.
    public init(mtime: Int = 0) { self.mtime = mtime }

    /// Adds a directory entry; a trailing `/` is added when missing.
    public mutating func addDirectory(_ path: String) {
        addEntry(name: path.hasSuffix("/") ? path : path + "/", type: Self.directoryType, content: [])
    }

    /// Adds a regular file.
    public mutating func addFile(_ path: String, content: [UInt8]) {
        addEntry(name: path, type: Self.regularType, content: content)
    }

    /// Adds an entry exactly as described.
    ///
    /// - Parameters:
    ///   - sizeOverride: the size written in the header instead of `content.count`; the content
    ///     (padded to a 512-byte block) is written as given either way.
    public mutating func addEntry(
        name: String, type: UInt8, content: [UInt8], linkName: String = "", sizeOverride: Int? = nil
    ) {
        let nameBytes = Array(name.utf8)
        let linkBytes = Array(linkName.utf8)
        if nameBytes.count > 100 { appendLongLink(nameBytes, type: UInt8(ascii: "L")) }
        if linkBytes.count > 100 { appendLongLink(linkBytes, type: UInt8(ascii: "K")) }
        appendHeader(
            name: nameBytes, type: type, size: sizeOverride ?? content.count, linkName: linkBytes,
            mode: type == Self.directoryType ? 0o755 : 0o644)
        appendData(content)
    }

    /// The finished archive: the entries followed by two zero blocks.
    public func finish() -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: 2 * Self.blockSize)
    }

    /// Compresses bytes into one gzip member as Go's `compress/gzip` at BestSpeed writes it:
    /// header `1f 8b 08 00 00000000 04 ff` (no name, no mtime, fastest, unknown OS).
    public static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var input = ByteBuffer(bytes: bytes)
        var output = try input.compress(with: .gzip(configuration: .init(compressionLevel: .fastestCompression)))
        var gz = output.readBytes(length: output.readableBytes) ?? []
        // The header is outside the CRC (which covers the data): set it to Go's bytes.
        if gz.count >= 10 {
            gz.replaceSubrange(3..<10, with: [0, 0, 0, 0, 0, 0x04, 0xFF])
        }
        return gz
    }

    /// Compresses `prefix`, then `zeros` zero bytes, then `suffix` into one gzip member as
    /// ``gzip(_:)`` does, without ever holding the zeros: how a bomb of any size is built.
    public static func gzip(prefix: [UInt8], zeros: Int, suffix: [UInt8]) throws -> [UInt8] {
        let zlib = try ZlibCompressor(algorithm: .gzip, configuration: .init(compressionLevel: .fastestCompression))
        var gz: [UInt8] = []
        var window = ByteBufferAllocator().buffer(capacity: 1 << 20)
        func feed(_ bytes: [UInt8], flush: CompressNIOFlush) throws {
            var input = ByteBuffer(bytes: bytes)
            while true {
                window.clear()
                var full = false
                do {
                    try zlib.deflate(from: &input, to: &window, flush: flush)
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    full = true
                }
                gz += window.readableBytesView
                // Without a flush, zlib answers "no progress" once the input is used up.
                guard full, input.readableBytes > 0 || flush == .finish else { return }
            }
        }
        try feed(prefix, flush: .no)
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        var left = zeros
        while left > 0 {
            try feed(left >= chunk.count ? chunk : Array(chunk.prefix(left)), flush: .no)
            left -= chunk.count
        }
        try feed(suffix, flush: .finish)
        if gz.count >= 10 { gz.replaceSubrange(3..<10, with: [0, 0, 0, 0, 0, 0x04, 0xFF]) }
        return gz
    }

    // MARK: - Encoding

    private mutating func appendLongLink(_ value: [UInt8], type: UInt8) {
        let data = value + [0]
        appendHeader(name: Array("././@LongLink".utf8), type: type, size: data.count, linkName: [], mode: 0o644)
        appendData(data)
    }

    private mutating func appendData(_ content: [UInt8]) {
        bytes += content
        let remainder = content.count % Self.blockSize
        if remainder != 0 { bytes += [UInt8](repeating: 0, count: Self.blockSize - remainder) }
    }

    private mutating func appendHeader(name: [UInt8], type: UInt8, size: Int, linkName: [UInt8], mode: Int) {
        var header = [UInt8](repeating: 0, count: Self.blockSize)
        func put(_ value: [UInt8], at offset: Int, length: Int) {
            for (index, byte) in value.prefix(length).enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, length: Int) {
            let digits = String(value, radix: 8)
            let padded = String(repeating: "0", count: max(0, length - 1 - digits.count)) + digits
            put(Array(padded.utf8), at: offset, length: length - 1)
        }
        put(name, at: 0, length: 100)
        octal(mode, at: 100, length: 8)
        octal(0, at: 108, length: 8)  // uid
        octal(0, at: 116, length: 8)  // gid
        if size >= 0 && size < 1 << 33 {
            octal(size, at: 124, length: 12)
        } else {
            // Base-256: high bit set, big-endian two's complement in the remaining bytes.
            header[124] = size < 0 ? 0xFF : 0x80
            var value = UInt64(bitPattern: Int64(size))
            for index in stride(from: 135, through: 128, by: -1) {
                header[index] = UInt8(truncatingIfNeeded: value)
                value >>= 8
            }
            for index in 125..<128 { header[index] = size < 0 ? 0xFF : 0 }
        }
        octal(mtime, at: 136, length: 12)
        header[156] = type
        put(linkName, at: 157, length: 100)
        put(Array("ustar\0".utf8), at: 257, length: 6)
        put(Array("00".utf8), at: 263, length: 2)
        octal(0, at: 329, length: 8)  // devmajor
        octal(0, at: 337, length: 8)  // devminor
        for index in 148..<156 { header[index] = UInt8(ascii: " ") }
        let checksum = header.reduce(0) { $0 + Int($1) }
        let digits = String(checksum, radix: 8)
        put(Array((String(repeating: "0", count: max(0, 6 - digits.count)) + digits).utf8), at: 148, length: 6)
        header[154] = 0
        header[155] = UInt8(ascii: " ")
        bytes += header
    }
}
