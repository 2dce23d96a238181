/// Limits applied while reading a deployment archive; they bound memory use for hostile input.
public struct ArchiveLimits: Sendable, Equatable {
    /// Largest declared size of one entry; checked against the header before the data is read.
    public var maxEntryBytes: Int
    /// Largest decompressed tar size (the decompression-bomb guard).
    public var maxTotalBytes: Int
    /// Largest number of entries (files, directories and others) in one archive.
    public var maxEntries: Int
    /// Largest amount of memory the files kept from one archive may take, each counted as its
    /// size plus 512 bytes (its header): what bounds memory when a platform sends many files.
    public var maxKeptBytes: Int

    public init(
        maxEntryBytes: Int = 8 << 20, maxTotalBytes: Int = 512 << 20, maxEntries: Int = 1_000_000, maxKeptBytes: Int = 32 << 20
    ) {
        self.maxEntryBytes = maxEntryBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
        self.maxKeptBytes = maxKeptBytes
    }

    /// 8 MiB per entry, 512 MiB decompressed, one million entries, 32 MiB of files kept.
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

