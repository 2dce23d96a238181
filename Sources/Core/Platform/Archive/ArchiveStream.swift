import NIOCore

/// Reads the tar.gz returned by `POST /deployments/fetch-batch` as it arrives: inflated through
/// a small window and read as tar on the way, so memory holds one window, one header and the
/// files that are kept, never the archive. The first entry that breaks a rule stops it.
///
/// A file is keyed by its immediate parent directory. Directories, root-level files, files that
/// are not `.yaml`/`.yml` and (when `requested` is given) files of deployments nobody asked for
/// are skipped as they stream by; absolute paths, paths with a `..` segment, links, device
/// files, FIFOs, unknown entry types and entries over the limits make the whole archive fail
/// with an ``ArchiveError``: a platform that sends them is broken or compromised, and the rest of
/// its batch is not trusted either.
public final class ArchiveStream {
    private let inflater: GzipInflater
    private var tar: TarStream
    private var collector: Collector

    /// - Parameter requested: the deployment ids asked for; files of others are skipped unread.
    public init(limits: ArchiveLimits = .default, requested: Set<String>? = nil) throws {
        inflater = try GzipInflater(maxBytes: limits.maxTotalBytes)
        tar = TarStream(maxEntryBytes: limits.maxEntryBytes)
        collector = Collector(limits: limits, requested: requested)
    }

    /// Bytes inflated so far.
    public var inflatedBytes: Int { inflater.inflated }

    /// Reads the next piece of the gzip stream.
    public func push(_ chunk: ByteBuffer) throws {
        try inflater.push(chunk) { try tar.push($0, to: &collector) }
    }

    /// Reads the next piece of the gzip stream.
    public func push(_ bytes: [UInt8]) throws {
        try push(ByteBuffer(bytes: bytes))
    }

    /// The input has ended: checks it was one complete archive and returns its files.
    public func finish() throws -> ArchiveReader.Contents {
        try inflater.finish { try tar.push($0, to: &collector) }
        try tar.finish()
        return collector.contents
    }

    /// Classifies entries as they come and keeps the files wanted.
    private struct Collector: TarStreamConsumer {
        let limits: ArchiveLimits
        let requested: Set<String>?
        var contents = ArchiveReader.Contents()
        var entries = 0
        var kept = 0
        var positions: [String: [String: Int]] = [:]
        /// Where the entry being collected goes.
        var pending: (deploymentId: String, fileName: String)?

        init(limits: ArchiveLimits, requested: Set<String>?) {
            self.limits = limits
            self.requested = requested
        }

        mutating func begin(_ entry: TarEntryHeader) throws -> Bool {
            entries += 1
            guard entries <= limits.maxEntries else { throw ArchiveError.tooManyEntries(limit: limits.maxEntries) }
            let name = entry.name
            guard !name.hasPrefix("/") else { throw ArchiveError.absolutePath(name: name) }
            switch entry.type {
            case .regular: break
            case .directory: return false
            case .symbolicLink: throw ArchiveError.symbolicLink(name: name, target: entry.linkName)
            case .hardLink: throw ArchiveError.hardLink(name: name, target: entry.linkName)
            case .characterDevice: throw ArchiveError.specialFile(name: name, kind: "character device")
            case .blockDevice: throw ArchiveError.specialFile(name: name, kind: "block device")
            case .fifo: throw ArchiveError.specialFile(name: name, kind: "FIFO")
            case .other(let flag): throw ArchiveError.unsupportedEntryType(name: name, typeFlag: flag)
            }

            let segments = name.split(separator: "/").filter { $0 != "." }
            guard !segments.contains("..") else { throw ArchiveError.parentTraversal(name: name) }
            guard segments.count >= 2, let last = segments.last else { return skip(name, .rootLevel) }
            let fileName = String(last)
            let lowered = fileName.lowercased()
            guard lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") else { return skip(name, .notYAML) }
            let deploymentId = String(segments[segments.count - 2])
            if let requested, !requested.contains(deploymentId) { return skip(name, .notRequested) }
            kept += entry.dataLength + TarStream.blockSize
            guard kept <= limits.maxKeptBytes else { throw ArchiveError.keptTooLarge(limit: limits.maxKeptBytes) }
            pending = (deploymentId, fileName)
            return true
        }

        mutating func end(_ entry: TarEntryHeader, data: [UInt8]) throws {
            guard let (deploymentId, fileName) = pending else { return }
            pending = nil
            let file = ArchiveFile(deploymentId: deploymentId, fileName: fileName, content: data)
            // As when extracting with tar, a later entry for the same file replaces an earlier one.
            if let index = positions[deploymentId]?[fileName] {
                contents.files[deploymentId]?[index] = file
            } else {
                positions[deploymentId, default: [:]][fileName] = contents.files[deploymentId, default: []].count
                contents.files[deploymentId, default: []].append(file)
            }
        }

        private mutating func skip(_ name: String, _ reason: ArchiveReader.SkipReason) -> Bool {
            contents.skippedCount += 1
            if contents.skipped.count < ArchiveReader.Contents.maxListedSkips {
                contents.skipped.append(ArchiveReader.SkippedEntry(name: name, reason: reason))
            }
            return false
        }
    }
}

/// Reads a whole tar.gz held in memory (tests, benchmarks, the simulator's checks).
public enum ArchiveReader {
    /// Why an entry was skipped rather than read.
    public enum SkipReason: String, Sendable, Equatable {
        case rootLevel
        case notYAML
        /// In the directory of a deployment that was not asked for.
        case notRequested
    }

    /// An entry that was left out of the result, with the reason.
    public struct SkippedEntry: Sendable, Equatable {
        public let name: String
        public let reason: SkipReason
    }

    /// The files of an archive by deployment id, and what was skipped.
    public struct Contents: Sendable, Equatable {
        /// The skipped entries listed; the rest are only counted, so a flood of them costs no memory.
        static let maxListedSkips = 100
        public var files: [String: [ArchiveFile]] = [:]
        /// The first ``maxListedSkips`` skipped entries.
        public var skipped: [SkippedEntry] = []
        public var skippedCount = 0
    }

    /// Maps each deployment id to its files, in archive order.
    public static func read(gzipped: [UInt8], limits: ArchiveLimits = .default) throws -> [String: [ArchiveFile]] {
        try readContents(gzipped: gzipped, limits: limits).files
    }

    /// Like ``read(gzipped:limits:)`` but also reports the skipped entries.
    public static func readContents(gzipped: [UInt8], limits: ArchiveLimits = .default) throws -> Contents {
        let stream = try ArchiveStream(limits: limits)
        try stream.push(gzipped)
        return try stream.finish()
    }
}
