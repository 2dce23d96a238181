internal import CompressNIO
import NIOCore

/// Limits applied while reading a deployment archive; they bound memory use for hostile input.
public struct ArchiveLimits: Sendable, Equatable {
    /// Largest declared size of one entry; checked against the header before the data is read.
    public var maxEntryBytes: Int
    /// Largest decompressed tar size (the decompression-bomb guard).
    public var maxTotalBytes: Int
    /// Largest number of entries (files, directories and others) in one archive.
    public var maxEntries: Int

    public init(maxEntryBytes: Int = 8 << 20, maxTotalBytes: Int = 512 << 20, maxEntries: Int = 1_000_000) {
        self.maxEntryBytes = maxEntryBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
    }

    /// 8 MiB per entry, 512 MiB decompressed, one million entries.
    public static let `default` = ArchiveLimits()
}

/// One deployment file taken from an archive: `{deploymentId}/{fileName}`.
public struct ArchiveFile: Sendable, Equatable {
    /// The name of the file's immediate parent directory.
    public let deploymentId: String
    /// The file's own name, e.g. `api-<artifactId>.yaml`.
    public let fileName: String
    /// The file's bytes as stored.
    public let content: [UInt8]

    public init(deploymentId: String, fileName: String, content: [UInt8]) {
        self.deploymentId = deploymentId
        self.fileName = fileName
        self.content = content
    }
}

/// Reads the tar.gz returned by `POST /deployments/fetch-batch` into deployment files.
///
/// A file is keyed by its immediate parent directory. Directories, root-level files and files
/// that are not `.yaml`/`.yml` are skipped; absolute paths, paths with a `..` segment, links,
/// device files, FIFOs, unknown entry types and entries over the limits make the whole archive
/// fail with an ``ArchiveError``: a platform that sends them is broken or compromised, and the
/// rest of its batch is not trusted either.
public enum ArchiveReader {
    /// Why an entry was skipped rather than read.
    public enum SkipReason: String, Sendable, Equatable {
        case rootLevel
        case notYAML
    }

    /// An entry that was left out of the result, with the reason.
    public struct SkippedEntry: Sendable, Equatable {
        public let name: String
        public let reason: SkipReason
    }

    /// The files of an archive by deployment id, and what was skipped.
    public struct Contents: Sendable, Equatable {
        public var files: [String: [ArchiveFile]] = [:]
        public var skipped: [SkippedEntry] = []
    }

    /// Maps each deployment id to its files, in archive order.
    public static func read(gzipped: [UInt8], limits: ArchiveLimits = .default) throws -> [String: [ArchiveFile]] {
        try readContents(gzipped: gzipped, limits: limits).files
    }

    /// Like ``read(gzipped:limits:)`` but also reports the skipped entries.
    public static func readContents(gzipped: [UInt8], limits: ArchiveLimits = .default) throws -> Contents {
        let tar = try gunzip(gzipped, maxBytes: limits.maxTotalBytes)
        return try contents(ofTar: tar, limits: limits)
    }

    /// Decompresses one complete gzip stream of at most `maxBytes` bytes.
    ///
    /// Inflates through a 1 MiB window and counts as it goes: CompressNIO's own `maxSize`
    /// rounds its buffers up to powers of two and let a 630 MiB bomb through a 512 MiB cap.
    static func gunzip(_ gzipped: [UInt8], maxBytes: Int) throws -> [UInt8] {
        guard gzipped.count >= 2, gzipped[0] == 0x1F, gzipped[1] == 0x8B else { throw ArchiveError.notGzip }
        // A sentinel byte after the input tells a complete stream (zlib stops at the stream's end and
        // leaves the sentinel unread) from a truncated one (zlib swallows everything, sentinel included).
        var input = ByteBufferAllocator().buffer(capacity: gzipped.count + 1)
        input.writeBytes(gzipped)
        input.writeInteger(UInt8(0))
        let decompressor = CompressionAlgorithm.gzip().decompressor
        var output: [UInt8] = []
        do {
            try decompressor.startStream()
            defer { try? decompressor.finishStream() }
            var window = ByteBufferAllocator().buffer(capacity: min(1 << 20, maxBytes + 1))
            output.reserveCapacity(min(maxBytes, gzipped.count * 8))
            var full = true
            while full {
                window.clear()
                do {
                    try input.decompressStream(to: &window, with: decompressor)
                    full = false
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    full = true
                }
                guard output.count + window.readableBytes <= maxBytes else { throw ArchiveError.tooLarge(limit: maxBytes) }
                output.append(contentsOf: window.readableBytesView)
            }
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError.gzipCorrupt
        }
        guard input.readableBytes > 0 else { throw ArchiveError.gzipTruncated }
        let trailing = input.readableBytes - 1
        if let rest = input.getBytes(at: input.readerIndex, length: trailing), rest.contains(where: { $0 != 0 }) {
            throw ArchiveError.gzipTrailingData(bytes: trailing)
        }
        return output
    }

    /// Classifies the entries of an uncompressed tar.
    static func contents(ofTar tar: [UInt8], limits: ArchiveLimits) throws -> Contents {
        var reader = TarReader(bytes: tar, maxEntryBytes: limits.maxEntryBytes)
        var result = Contents()
        var positions: [String: [String: Int]] = [:]
        var count = 0
        while let entry = try reader.next() {
            count += 1
            guard count <= limits.maxEntries else { throw ArchiveError.tooManyEntries(limit: limits.maxEntries) }
            let name = entry.name
            guard !name.hasPrefix("/") else { throw ArchiveError.absolutePath(name: name) }
            switch entry.type {
            case .regular: break
            case .directory: continue
            case .symbolicLink: throw ArchiveError.symbolicLink(name: name, target: entry.linkName)
            case .hardLink: throw ArchiveError.hardLink(name: name, target: entry.linkName)
            case .characterDevice: throw ArchiveError.specialFile(name: name, kind: "character device")
            case .blockDevice: throw ArchiveError.specialFile(name: name, kind: "block device")
            case .fifo: throw ArchiveError.specialFile(name: name, kind: "FIFO")
            case .other(let flag): throw ArchiveError.unsupportedEntryType(name: name, typeFlag: flag)
            }

            let segments = name.split(separator: "/").filter { $0 != "." }
            guard !segments.contains("..") else { throw ArchiveError.parentTraversal(name: name) }
            guard segments.count >= 2, let last = segments.last else {
                result.skipped.append(SkippedEntry(name: name, reason: .rootLevel))
                continue
            }
            let fileName = String(last)
            let lowered = fileName.lowercased()
            guard lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") else {
                result.skipped.append(SkippedEntry(name: name, reason: .notYAML))
                continue
            }
            let deploymentId = String(segments[segments.count - 2])
            let file = ArchiveFile(deploymentId: deploymentId, fileName: fileName, content: Array(entry.data))
            // As when extracting with tar, a later entry for the same file replaces an earlier one.
            if let index = positions[deploymentId]?[fileName] {
                result.files[deploymentId]?[index] = file
            } else {
                positions[deploymentId, default: [:]][fileName] = result.files[deploymentId, default: []].count
                result.files[deploymentId, default: []].append(file)
            }
        }
        return result
    }
}
