import Foundation
import PlatformSim
import Testing

@testable import Core

/// The archive read as a stream: bombs are refused at their first bad header, and memory holds
/// only what is kept.
struct ArchiveStreamTests {
    /// One 64 MiB entry of zeros, refused from its header: nothing past the first window is
    /// inflated (before streaming, the whole cap was inflated first and the error was "too large").
    @Test func anEntryOverTheCapIsRefusedBeforeItsBodyIsInflated() throws {
        var header = TarWriter()
        header.addEntry(name: "dep-1/api-a.yaml", type: TarWriter.regularType, content: [], sizeOverride: 64 << 20)
        let end = TarWriter().finish()
        let bomb = try TarWriter.gzip(prefix: Array(header.finish().dropLast(end.count)), zeros: 64 << 20, suffix: end)
        #expect(bomb.count < 1 << 20)
        let limits = ArchiveLimits(maxEntryBytes: 1 << 20, maxTotalBytes: 16 << 20)

        #expect(archiveError { try ArchiveReader.read(gzipped: bomb, limits: limits) }
            == .entryTooLarge(name: "dep-1/api-a.yaml", size: 64 << 20, limit: 1 << 20))
        let stream = try ArchiveStream(limits: limits)
        var pushed = 0
        let refused = archiveError {
            for start in stride(from: 0, to: bomb.count, by: 4096) {
                try stream.push(Array(bomb[start..<min(start + 4096, bomb.count)]))
                pushed += 1
            }
            return pushed
        }
        #expect(refused == .entryTooLarge(name: "dep-1/api-a.yaml", size: 64 << 20, limit: 1 << 20))
        #expect(pushed == 0, "the first 4 KiB piece holds the header")
        #expect(stream.inflatedBytes <= 256 << 10)
    }

    @Test func manySmallEntriesStopAtTheTotalCapWithoutBeingKept() throws {
        var tar = TarWriter()
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for i in 0..<20 { tar.addFile("dep-other/api-\(i).yaml", content: zeros) }
        let gz = try TarWriter.gzip(tar.finish())
        let stream = try ArchiveStream(limits: ArchiveLimits(maxTotalBytes: 8 << 20), requested: ["dep-1"])
        #expect(archiveError { try stream.push(gz) } == .tooLarge(limit: 8 << 20))
        #expect(stream.inflatedBytes == 8 << 20)
    }

    @Test func filesOfDeploymentsNotAskedForAreSkipped() throws {
        var tar = TarWriter()
        tar.addFile("dep-1/api-a.yaml", content: Array("kind: RestApi\n".utf8))
        tar.addFile("dep-2/api-b.yaml", content: Array("kind: RestApi\n".utf8))
        let stream = try ArchiveStream(requested: ["dep-1"])
        try stream.push(try TarWriter.gzip(tar.finish()))
        let contents = try stream.finish()
        #expect(Array(contents.files.keys) == ["dep-1"])
        #expect(contents.skipped == [ArchiveReader.SkippedEntry(name: "dep-2/api-b.yaml", reason: .notRequested)])
    }

    @Test func theFilesKeptAreCapped() throws {
        var tar = TarWriter()
        for i in 0..<5 { tar.addFile("dep-1/api-\(i).yaml", content: [UInt8](repeating: 0x61, count: 1000)) }
        let gz = try TarWriter.gzip(tar.finish())
        // Each file counts its 1,000 bytes and its 512-byte header.
        #expect(try ArchiveReader.read(gzipped: gz, limits: ArchiveLimits(maxKeptBytes: 5 * 1512))["dep-1"]?.count == 5)
        let refused = archiveError { try ArchiveReader.read(gzipped: gz, limits: ArchiveLimits(maxKeptBytes: 5 * 1512 - 1)) }
        #expect(refused == .keptTooLarge(limit: 5 * 1512 - 1))
        #expect(refused?.description.contains("batch_size") == true)
    }

    @Test func aFloodOfSkippedEntriesIsCountedNotListed() throws {
        var tar = TarWriter()
        for i in 0..<250 { tar.addFile("dep-1/notes-\(i).txt", content: []) }
        let contents = try ArchiveReader.readContents(gzipped: try TarWriter.gzip(tar.finish()))
        #expect(contents.skipped.count == 100)
        #expect(contents.skippedCount == 250)
    }

    /// The same archive cut into pieces of any size reads the same, and a damaged one fails the same.
    @Test(arguments: [1, 7, 511, 512, 513, 4096, 65_537])
    func piecesOfAnySizeReadAlike(size: Int) async throws {
        let platform = SimulatedPlatform(deployments: 30, seed: 3)
        let contents = await platform.all().compactMap { a in a.deployment.map { (a, $0) } }
        let good = try PlatformSimulator.archive(contents)
        #expect(try read(good, in: size) == ArchiveReader.readContents(gzipped: good))

        var tar = TarWriter()
        tar.addFile("dep-1/api-a.yaml", content: [UInt8](repeating: 0x61, count: 3000))
        let plain = tar.finish()
        let damaged: [(String, [UInt8])] = [
            ("truncated gzip", Array(good.dropLast(3))),
            ("damaged checksum", Array(good.dropLast(5))),
            ("trailing data", good + [0, 0, 1, 0]),
            ("zero padding", good + [0, 0, 0]),
            ("truncated tar", try TarWriter.gzip(Array(plain.prefix(1700)))),
            ("not gzip", plain),
        ]
        for (what, bytes) in damaged {
            let whole = Result { try ArchiveReader.readContents(gzipped: bytes) }
            let pieces = Result { try read(bytes, in: size) }
            #expect(outcome(whole) == outcome(pieces), "\(what)")
        }
        #expect(archiveError { try read(Array(good.dropLast(3)), in: size) } == .gzipTruncated)
        #expect(archiveError { try read(good + [0, 0, 1, 0], in: size) } == .gzipTrailingData(bytes: 4))
        #expect(archiveError { try read(try TarWriter.gzip(Array(plain.prefix(1700))), in: size) }
            == .truncatedEntry(name: "dep-1/api-a.yaml", offset: 0))
    }

    // MARK: - Helpers

    /// The error, or the files' names and sizes (short enough to print when they differ).
    private func outcome(_ result: Result<ArchiveReader.Contents, Error>) -> String {
        switch result {
        case .failure(let error): return "\(error)"
        case .success(let contents):
            return contents.files.values.joined().map { "\($0.deploymentId)/\($0.fileName):\($0.content.count)" }.sorted()
                .joined(separator: ",") + " skipped \(contents.skippedCount)"
        }
    }

    private func read(_ gz: [UInt8], in size: Int) throws -> ArchiveReader.Contents {
        let stream = try ArchiveStream()
        for start in stride(from: 0, to: gz.count, by: size) {
            try stream.push(Array(gz[start..<min(start + size, gz.count)]))
        }
        return try stream.finish()
    }
}
