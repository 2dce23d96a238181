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

/// One entry of a tar archive, after GNU long names, pax headers and the ustar prefix are applied.
public struct TarEntry: Sendable, Equatable {
    public let name: String
    public let type: TarEntryType
    /// The declared size in bytes (pax `size` wins over the header field).
    public let size: Int
    /// The entry's data; empty for types that carry none.
    public let data: ArraySlice<UInt8>
    public let linkName: String
    /// Offset of the entry's own header in the tar data (after any long-name or pax headers).
    public let headerOffset: Int
}

/// A strict reader of tar data held in memory (ustar, GNU and pax archives).
///
/// Validates every header checksum, refuses truncated data, and checks an entry's declared size
/// against `maxEntryBytes` before touching its data. Errors are ``ArchiveError`` values.
public struct TarReader: Sendable {
    static let blockSize = 512

    private let bytes: [UInt8]
    private var offset = 0
    private var finished = false
    /// Largest data size accepted for an entry.
    public let maxEntryBytes: Int
    /// Largest size accepted for a GNU long-name or pax header entry.
    public let maxMetadataBytes: Int

    public init(bytes: [UInt8], maxEntryBytes: Int = .max, maxMetadataBytes: Int = 1 << 20) {
        self.bytes = bytes
        self.maxEntryBytes = maxEntryBytes
        self.maxMetadataBytes = maxMetadataBytes
    }

    /// Reads every entry.
    public static func entries(in bytes: [UInt8], maxEntryBytes: Int = .max) throws -> [TarEntry] {
        var reader = TarReader(bytes: bytes, maxEntryBytes: maxEntryBytes)
        var result: [TarEntry] = []
        while let entry = try reader.next() { result.append(entry) }
        return result
    }

    /// Returns the next entry, or nil at the end of the archive.
    public mutating func next() throws -> TarEntry? {
        if finished { return nil }
        var longName: String?
        var longLink: String?
        var pax: [String: String] = [:]
        var pendingMetadata = false

        while true {
            let headerOffset = offset
            let remaining = bytes.count - offset
            if remaining < Self.blockSize {
                // Clean EOF (or zero padding) after a complete entry ends the archive.
                if !pendingMetadata && isZero(offset..<bytes.count) {
                    finished = true
                    return nil
                }
                throw ArchiveError.truncatedHeader(offset: headerOffset)
            }
            let header = bytes[offset..<offset + Self.blockSize]
            if isZero(header.indices) {
                if pendingMetadata {
                    throw ArchiveError.malformedHeader(
                        offset: headerOffset, reason: "a long-name or pax header is not followed by an entry")
                }
                let next = offset + Self.blockSize
                if isZero(next..<min(next + Self.blockSize, bytes.count)) {
                    finished = true
                    return nil
                }
                throw ArchiveError.malformedHeader(offset: headerOffset, reason: "a lone zero block is followed by more data")
            }
            try verifyChecksum(header, offset: headerOffset)

            let typeFlag = header[header.startIndex + 156]
            let rawSize = try numeric(header, 124, 12, offset: headerOffset, field: "size")
            let dataStart = offset + Self.blockSize

            switch typeFlag {
            case UInt8(ascii: "L"), UInt8(ascii: "K"), UInt8(ascii: "x"), UInt8(ascii: "g"):
                let what = typeFlag == UInt8(ascii: "x") || typeFlag == UInt8(ascii: "g") ? "pax header" : "GNU long-name entry"
                guard rawSize <= maxMetadataBytes else {
                    throw ArchiveError.malformedHeader(
                        offset: headerOffset, reason: "\(what) of \(rawSize) bytes exceeds \(maxMetadataBytes) bytes")
                }
                let data = try slice(from: dataStart, count: rawSize) {
                    ArchiveError.truncatedEntry(name: what, offset: headerOffset)
                }
                switch typeFlag {
                case UInt8(ascii: "L"): longName = try longNameText(data, offset: headerOffset)
                case UInt8(ascii: "K"): longLink = try longNameText(data, offset: headerOffset)
                case UInt8(ascii: "x"): pax.merge(try paxRecords(data, offset: headerOffset)) { _, new in new }
                default: break  // 'g' global pax headers carry nothing we use.
                }
                pendingMetadata = typeFlag != UInt8(ascii: "g") || pendingMetadata
                offset = dataStart + Self.padded(rawSize)
                continue
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

            var type = Self.entryType(typeFlag)
            if type == .regular && name.hasSuffix("/") { type = .directory }  // pre-POSIX directories
            let dataLength = type.carriesData ? size : 0
            if dataLength > maxEntryBytes {
                throw ArchiveError.entryTooLarge(name: name, size: size, limit: maxEntryBytes)
            }
            let data = try slice(from: dataStart, count: dataLength) {
                ArchiveError.truncatedEntry(name: name, offset: headerOffset)
            }
            offset = dataStart + Self.padded(dataLength)
            return TarEntry(
                name: name, type: type, size: size, data: data, linkName: linkName, headerOffset: headerOffset)
        }
    }

    // MARK: - Helpers

    static func entryType(_ flag: UInt8) -> TarEntryType {
        switch flag {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): return .regular
        case UInt8(ascii: "1"): return .hardLink
        case UInt8(ascii: "2"): return .symbolicLink
        case UInt8(ascii: "3"): return .characterDevice
        case UInt8(ascii: "4"): return .blockDevice
        case UInt8(ascii: "5"): return .directory
        case UInt8(ascii: "6"): return .fifo
        default: return .other(flag)
        }
    }

    static func padded(_ size: Int) -> Int {
        (size + blockSize - 1) / blockSize * blockSize
    }

    private func isZero(_ range: Range<Int>) -> Bool {
        bytes[range].allSatisfy { $0 == 0 }
    }

    /// The data of an entry plus its padding must be present; returns the data alone.
    private func slice(from start: Int, count: Int, error: () -> ArchiveError) throws -> ArraySlice<UInt8> {
        let available = bytes.count - start
        guard count <= available, Self.padded(count) <= available else { throw error() }
        return bytes[start..<start + count]
    }

    private func verifyChecksum(_ header: ArraySlice<UInt8>, offset: Int) throws {
        // The checksum field itself counts as eight spaces.
        var unsigned = 8 * Int(UInt8(ascii: " "))
        var signed = unsigned
        header.withUnsafeBufferPointer { bytes in
            for (index, byte) in bytes.enumerated() where index < 148 || index >= 156 {
                unsigned += Int(byte)
                signed += Int(Int8(bitPattern: byte))
            }
        }
        guard let stored = try? numeric(header, 148, 8, offset: offset, field: "checksum"),
            stored == unsigned || stored == signed
        else { throw ArchiveError.badChecksum(offset: offset) }
    }

    /// Parses an octal field (NUL- or space-terminated, leading spaces allowed) or a base-256 field.
    private func numeric(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int, offset: Int, field: String) throws -> Int {
        let raw = header[header.startIndex + start..<header.startIndex + start + length]
        let bad = ArchiveError.malformedHeader(offset: offset, reason: "the \(field) field is not a number")
        if let first = raw.first, first & 0x80 != 0 {
            guard first == 0x80 else { throw bad }  // 0xFF marks a negative number
            var value = 0
            for byte in raw.dropFirst() {
                guard value <= (Int.max >> 8) else { throw bad }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0
        var index = raw.startIndex
        while index < raw.endIndex && raw[index] == UInt8(ascii: " ") { index += 1 }
        while index < raw.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(raw[index]) {
            value = value * 8 + Int(raw[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard raw[index...].allSatisfy({ $0 == 0 || $0 == UInt8(ascii: " ") }) else { throw bad }
        return value
    }

    private func text(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int, offset: Int, field: String) throws -> String {
        let raw = header[header.startIndex + start..<header.startIndex + start + length]
        let used = raw.prefix { $0 != 0 }
        guard let value = String(validating: used, as: UTF8.self) else {
            throw ArchiveError.malformedHeader(offset: offset, reason: "the \(field) field is not valid UTF-8")
        }
        return value
    }

    private func longNameText(_ data: ArraySlice<UInt8>, offset: Int) throws -> String {
        let used = data.prefix { $0 != 0 }
        guard !used.isEmpty, let value = String(validating: used, as: UTF8.self) else {
            throw ArchiveError.malformedHeader(offset: offset, reason: "the GNU long name is empty or not valid UTF-8")
        }
        return value
    }

    /// Parses pax records: `"<length> <key>=<value>\n"`, where length counts the whole record.
    private func paxRecords(_ data: ArraySlice<UInt8>, offset: Int) throws -> [String: String] {
        let bad = ArchiveError.malformedHeader(offset: offset, reason: "the pax header has a malformed record")
        var records: [String: String] = [:]
        var index = data.startIndex
        while index < data.endIndex {
            if data[index...].allSatisfy({ $0 == 0 }) { break }
            var length = 0
            var cursor = index
            while cursor < data.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(data[cursor]) {
                guard length < data.count else { throw bad }
                length = length * 10 + Int(data[cursor] - UInt8(ascii: "0"))
                cursor += 1
            }
            guard cursor > index, cursor < data.endIndex, data[cursor] == UInt8(ascii: " "),
                length > cursor - index + 1, length <= data.endIndex - index,
                data[index + length - 1] == UInt8(ascii: "\n")
            else { throw bad }
            let record = data[(cursor + 1)..<(index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")),
                let key = String(validating: record[..<equals], as: UTF8.self)
            else { throw bad }
            let valueBytes = record[(equals + 1)...]
            if key == "path" || key == "linkpath" || key == "size" {
                guard let value = String(validating: valueBytes, as: UTF8.self) else { throw bad }
                records[key] = value
            }
            index += length
        }
        return records
    }
}
