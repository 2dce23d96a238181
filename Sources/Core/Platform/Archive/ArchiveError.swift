/// Why a deployment archive (tar.gz from `POST /deployments/fetch-batch`) was refused.
///
/// Every case carries enough context (entry name, byte offset in the decompressed tar,
/// sizes) for `description` to be a sentence an operator can act on.
public enum ArchiveError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not a gzip stream, or the gzip data is corrupt.
    case notGzip
    /// The data starts like gzip but does not decompress (bad deflate data or checksum).
    case gzipCorrupt
    /// The gzip stream ends before its end marker.
    case gzipTruncated
    /// Non-zero bytes follow the end of the gzip stream (e.g. a second concatenated stream).
    case gzipTrailingData(bytes: Int)
    /// Decompressing would produce more than `limit` bytes.
    case tooLarge(limit: Int)
    /// A tar header's stored checksum does not match its contents.
    case badChecksum(offset: Int)
    /// A tar header is not well formed.
    case malformedHeader(offset: Int, reason: String)
    /// The tar data ends inside a header.
    case truncatedHeader(offset: Int)
    /// The tar data ends inside the data of an entry.
    case truncatedEntry(name: String, offset: Int)
    /// An entry's name starts with `/`.
    case absolutePath(name: String)
    /// An entry's name has a `..` segment.
    case parentTraversal(name: String)
    /// An entry is a symbolic link.
    case symbolicLink(name: String, target: String)
    /// An entry is a hard link.
    case hardLink(name: String, target: String)
    /// An entry is a character device, block device or FIFO.
    case specialFile(name: String, kind: String)
    /// An entry has a tar type flag this reader does not accept.
    case unsupportedEntryType(name: String, typeFlag: UInt8)
    /// An entry declares a size above the per-entry limit; its data was not read.
    case entryTooLarge(name: String, size: Int, limit: Int)
    /// The archive holds more entries than allowed.
    case tooManyEntries(limit: Int)
    /// The files kept (those of the requested deployments) take more memory than allowed.
    case keptTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .notGzip:
            return "archive is not a gzip stream"
        case .gzipCorrupt:
            return "archive gzip data is corrupt (it does not decompress or fails its checksum)"
        case .gzipTruncated:
            return "archive gzip stream is truncated (it ends before the gzip end marker)"
        case .gzipTrailingData(let bytes):
            return "archive has \(bytes) unexpected bytes after the end of the gzip stream"
        case .tooLarge(let limit):
            return "decompressed archive exceeds \(limit) bytes (decompression bomb?)"
        case .badChecksum(let offset):
            return "bad tar header checksum at offset \(offset)"
        case .malformedHeader(let offset, let reason):
            return "malformed tar header at offset \(offset): \(reason)"
        case .truncatedHeader(let offset):
            return "archive is truncated inside the tar header at offset \(offset)"
        case .truncatedEntry(let name, let offset):
            return "archive is truncated inside entry \(Self.quoted(name)) (header at offset \(offset))"
        case .absolutePath(let name):
            return "archive entry \(Self.quoted(name)) has an absolute path"
        case .parentTraversal(let name):
            return "archive entry \(Self.quoted(name)) climbs out of its directory with \"..\""
        case .symbolicLink(let name, let target):
            return "archive entry \(Self.quoted(name)) is a symbolic link to \(Self.quoted(target)) "
                + "(links are not accepted)"
        case .hardLink(let name, let target):
            return "archive entry \(Self.quoted(name)) is a hard link to \(Self.quoted(target)) "
                + "(links are not accepted)"
        case .specialFile(let name, let kind):
            return "archive entry \(Self.quoted(name)) is a \(kind) (device files and FIFOs are not accepted)"
        case .unsupportedEntryType(let name, let typeFlag):
            return "archive entry \(Self.quoted(name)) has unsupported tar type \(Self.typeFlagText(typeFlag))"
        case .entryTooLarge(let name, let size, let limit):
            return "archive entry \(Self.quoted(name)) declares \(size) bytes, above the limit of \(limit) bytes"
        case .tooManyEntries(let limit):
            return "archive has more than \(limit) entries"
        case .keptTooLarge(let limit):
            return "the requested deployments' files in the archive exceed \(limit) bytes "
                + "(a smaller [controller.sync] batch_size asks for fewer deployments per archive)"
        }
    }

    /// Quotes a name, escaping control characters so a hostile name cannot garble a terminal.
    private static func quoted(_ name: String) -> String {
        var out = "\""
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func typeFlagText(_ flag: UInt8) -> String {
        if flag >= 0x21 && flag < 0x7F {
            return "'\(Character(Unicode.Scalar(flag)))'"
        }
        return "0x\(String(flag, radix: 16))"
    }
}
