/// The kind of a tar entry, from its type flag.
public enum TarEntryType: Sendable, Equatable {
    case regular
    case directory
    case symbolicLink
    case hardLink
    case characterDevice
    case blockDevice
    case fifo
    /// Any other type flag (GNU sparse, volume labels, …), kept raw.
    case other(UInt8)

    /// Whether data blocks follow the header. Links, devices, FIFOs and directories carry none
    /// (readers traditionally ignore the size field of a directory).
    var carriesData: Bool {
        switch self {
        case .regular, .other: return true
        default: return false
        }
    }
}

/// The header of one tar entry, after GNU long names, pax headers and the ustar prefix are applied.
public struct TarEntryHeader: Sendable, Equatable {
    public let name: String
    public let type: TarEntryType
    /// The declared size in bytes (pax `size` wins over the header field).
    public let size: Int
    public let linkName: String
    /// Offset of the entry's own header in the tar data (after any long-name or pax headers).
    public let headerOffset: Int

    /// How many data bytes follow the header: none for types that carry none.
    public var dataLength: Int { type.carriesData ? size : 0 }
}

/// What a ``TarStream`` hands its entries to.
protocol TarStreamConsumer {
    /// An entry's header is complete: returns whether its data should be collected (otherwise it
    /// is skipped as it streams by). Throws to refuse the archive.
    mutating func begin(_ entry: TarEntryHeader) throws -> Bool
    /// The data of an entry that `begin` asked for, once all of it has arrived.
    mutating func end(_ entry: TarEntryHeader, data: [UInt8]) throws
}

/// A strict, incremental reader of tar data (ustar, GNU and pax archives): bytes are pushed in
/// pieces of any size as they are inflated, and only a header block, a metadata entry or the data
/// of an entry the consumer keeps is ever buffered.
///
/// Validates every header checksum, refuses truncated data, and checks an entry's declared size
/// against `maxEntryBytes` as soon as its header is complete, before any of its data arrives.
/// Errors are ``ArchiveError`` values.
struct TarStream {
    static let blockSize = 512

    private enum State {
        /// Collecting a header block into `buffer`.
        case header
        /// Collecting a long-name or pax entry (data and padding) into `buffer`.
        case metadata(flag: UInt8, size: Int, headerOffset: Int)
        /// Streaming an entry's data and padding; `remaining` counts both.
        case data(TarEntryHeader, remaining: Int, keep: Bool)
        /// After one zero block: the next block must be zero too, or the data must end.
        case zeroBlock(offset: Int, seen: Int)
        /// After the two zero blocks: anything more is ignored, as tar does.
        case finished
    }

    /// Largest data size accepted for an entry.
    let maxEntryBytes: Int
    /// Largest size accepted for a GNU long-name or pax header entry.
    let maxMetadataBytes: Int
    private var state = State.header
    private var buffer: [UInt8] = []
    /// Offset in the tar data of the next byte to arrive.
    private var offset = 0
    private var longName: String?
    private var longLink: String?
    private var pax: [String: String] = [:]
    private var pendingMetadata = false

    init(maxEntryBytes: Int = .max, maxMetadataBytes: Int = 1 << 20) {
        self.maxEntryBytes = maxEntryBytes
        self.maxMetadataBytes = maxMetadataBytes
    }

    /// Reads the next piece of tar data, handing complete entries to `consumer`.
    mutating func push<C: TarStreamConsumer>(_ bytes: UnsafeRawBufferPointer, to consumer: inout C) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            switch state {
            case .header:
                guard fill(upTo: Self.blockSize, from: &rest) else { return }
                let headerOffset = offset
                offset += Self.blockSize
                let block = buffer
                buffer.removeAll(keepingCapacity: true)
                try header(block[...], at: headerOffset, consumer: &consumer)
            case .metadata(let flag, let size, let headerOffset):
                guard fill(upTo: Self.padded(size), from: &rest) else { return }
                try metadata(flag: flag, size: size, headerOffset: headerOffset)
            case .data(let entry, let remaining, let keep):
                let take = min(remaining, rest.count)
                if keep {
                    let wanted = max(0, min(take, entry.dataLength - buffer.count))
                    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest.prefix(wanted)))
                }
                rest = rest.dropFirst(take)
                offset += take
                if take == remaining {
                    try endEntry(entry, keep: keep, consumer: &consumer)
                } else {
                    state = .data(entry, remaining: remaining - take, keep: keep)
                }
            case .zeroBlock(let zeroOffset, let seen):
                let take = min(Self.blockSize - seen, rest.count)
                guard rest.prefix(take).allSatisfy({ $0 == 0 }) else {
                    throw ArchiveError.malformedHeader(offset: zeroOffset, reason: "a lone zero block is followed by more data")
                }
                rest = rest.dropFirst(take)
                offset += take
                state = seen + take == Self.blockSize ? .finished : .zeroBlock(offset: zeroOffset, seen: seen + take)
            case .finished:
                offset += rest.count
                return
            }
        }
    }

    /// The tar data has ended: throws when it ended inside a header or an entry.
    func finish() throws {
        switch state {
        case .header:
            // Clean EOF (or zero padding) after a complete entry ends the archive.
            if buffer.isEmpty && !pendingMetadata { return }
            if !pendingMetadata && buffer.allSatisfy({ $0 == 0 }) { return }
            throw ArchiveError.truncatedHeader(offset: offset)
        case .metadata(let flag, _, let headerOffset):
            throw ArchiveError.truncatedEntry(name: Self.metadataWhat(flag), offset: headerOffset)
        case .data(let entry, _, _):
            throw ArchiveError.truncatedEntry(name: entry.name, offset: entry.headerOffset)
        case .zeroBlock, .finished:
            return
        }
    }

    /// Moves bytes from `rest` into `buffer` until it holds `count`; true once it does.
    private mutating func fill(upTo count: Int, from rest: inout Slice<UnsafeRawBufferPointer>) -> Bool {
        let take = min(count - buffer.count, rest.count)
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
        rest = rest.dropFirst(take)
        return buffer.count == count
    }

    private mutating func header<C: TarStreamConsumer>(_ header: ArraySlice<UInt8>, at headerOffset: Int, consumer: inout C) throws {
        if header.allSatisfy({ $0 == 0 }) {
            if pendingMetadata {
                throw ArchiveError.malformedHeader(
                    offset: headerOffset, reason: "a long-name or pax header is not followed by an entry")
            }
            state = .zeroBlock(offset: headerOffset, seen: 0)
            return
        }
        try verifyChecksum(header, offset: headerOffset)

        let typeFlag = header[header.startIndex + 156]
        let rawSize = try numeric(header, 124, 12, offset: headerOffset, field: "size")
        switch typeFlag {
        case UInt8(ascii: "L"), UInt8(ascii: "K"), UInt8(ascii: "x"), UInt8(ascii: "g"):
            guard rawSize <= maxMetadataBytes else {
                throw ArchiveError.malformedHeader(
                    offset: headerOffset, reason: "\(Self.metadataWhat(typeFlag)) of \(rawSize) bytes exceeds \(maxMetadataBytes) bytes")
            }
            state = .metadata(flag: typeFlag, size: rawSize, headerOffset: headerOffset)
            if rawSize == 0 { try metadata(flag: typeFlag, size: 0, headerOffset: headerOffset) }
            return
        default:
            break
        }

        var name: String
        if let path = pax["path"], !path.isEmpty {
            name = path
        } else if let longName {
            name = longName
        } else {
            name = try text(header, 0, 100, offset: headerOffset, field: "name")
            if header[header.startIndex + 257..<header.startIndex + 263].elementsEqual(Array("ustar\0".utf8)) {
                let prefix = try text(header, 345, 155, offset: headerOffset, field: "prefix")
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
        }
        guard !name.isEmpty else {
            throw ArchiveError.malformedHeader(offset: headerOffset, reason: "the entry has an empty name")
        }
        let linkName: String
        if let path = pax["linkpath"], !path.isEmpty {
            linkName = path
        } else if let longLink {
            linkName = longLink
        } else {
            linkName = try text(header, 157, 100, offset: headerOffset, field: "link name")
        }
        var size = rawSize
        if let paxSize = pax["size"], !paxSize.isEmpty {
            guard let value = Int(paxSize), value >= 0 else {
                throw ArchiveError.malformedHeader(offset: headerOffset, reason: "pax size \"\(paxSize)\" is not a size")
            }
            size = value
        }
        longName = nil
        longLink = nil
        pax = [:]
        pendingMetadata = false

        var type = Self.entryType(typeFlag)
        if type == .regular && name.hasSuffix("/") { type = .directory }  // pre-POSIX directories
        let entry = TarEntryHeader(name: name, type: type, size: size, linkName: linkName, headerOffset: headerOffset)
        if entry.dataLength > maxEntryBytes {
            throw ArchiveError.entryTooLarge(name: name, size: size, limit: maxEntryBytes)
        }
        let keep = try consumer.begin(entry)
        if keep { buffer.reserveCapacity(entry.dataLength) }
        let remaining = Self.padded(entry.dataLength)
        if remaining == 0 {
            try endEntry(entry, keep: keep, consumer: &consumer)
        } else {
            state = .data(entry, remaining: remaining, keep: keep)
        }
    }

    private mutating func endEntry<C: TarStreamConsumer>(_ entry: TarEntryHeader, keep: Bool, consumer: inout C) throws {
        state = .header
        guard keep else { return }
        let data = buffer
        buffer = []
        try consumer.end(entry, data: data)
    }

    /// A long-name or pax entry is complete in `buffer`: remembers what it says for the next entry.
    private mutating func metadata(flag: UInt8, size: Int, headerOffset: Int) throws {
        offset += Self.padded(size)
        let data = buffer.prefix(size)
        switch flag {
        case UInt8(ascii: "L"): longName = try longNameText(data, offset: headerOffset)
        case UInt8(ascii: "K"): longLink = try longNameText(data, offset: headerOffset)
        case UInt8(ascii: "x"): pax.merge(try paxRecords(data, offset: headerOffset)) { _, new in new }
        default: break  // 'g' global pax headers carry nothing we use.
        }
        pendingMetadata = flag != UInt8(ascii: "g") || pendingMetadata
        buffer.removeAll(keepingCapacity: true)
        state = .header
    }

    static func metadataWhat(_ flag: UInt8) -> String {
        flag == UInt8(ascii: "x") || flag == UInt8(ascii: "g") ? "pax header" : "GNU long-name entry"
    }
}
