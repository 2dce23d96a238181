import Foundation
import PlatformSim
import Testing

@testable import Core

struct ArchiveReaderTests {
    // MARK: - Archives made by the real tar

    @Test(arguments: [nil, "gnu", "posix", "ustar"] as [String?])
    func twoDeploymentsAreMappedByParentDirectory(format: String?) throws {
        let gz = try realTarGz(
            files: [
                "dep-1/api-a.yaml": "kind: RestApi\n",
                "dep-2/llm-provider-b.yaml": "kind: LlmProvider\n",
                "dep-2/llm-proxy-c.yaml": "kind: LlmProxy\n",
            ], format: format)
        let files = try ArchiveReader.read(gzipped: gz)
        #expect(Set(files.keys) == ["dep-1", "dep-2"])
        #expect(files["dep-1"] == [ArchiveFile(deploymentId: "dep-1", fileName: "api-a.yaml", content: bytes("kind: RestApi\n"))])
        let dep2 = try #require(files["dep-2"]).sorted { $0.fileName < $1.fileName }
        #expect(dep2.map(\.fileName) == ["llm-provider-b.yaml", "llm-proxy-c.yaml"])
        #expect(dep2.map(\.content) == [bytes("kind: LlmProvider\n"), bytes("kind: LlmProxy\n")])
        #expect(dep2.allSatisfy { $0.deploymentId == "dep-2" })
    }

    @Test(arguments: [nil, "posix", "ustar"] as [String?])
    func deepLongPathIsKeyedByImmediateParent(format: String?) throws {
        let directory = "a/b/" + String(repeating: "d", count: 80) + "/dep-long"
        // ustar cannot store a 120-byte file name; GNU and pax can.
        let fileName = format == "ustar" ? "mcp-proxy-x.yaml" : String(repeating: "n", count: 120) + ".yaml"
        let path = directory + "/" + fileName
        #expect(path.utf8.count > 100)
        let gz = try realTarGz(files: [path: "deep\n"], format: format)
        let files = try ArchiveReader.read(gzipped: gz)
        #expect(files == ["dep-long": [ArchiveFile(deploymentId: "dep-long", fileName: fileName, content: bytes("deep\n"))]])
    }

    @Test func realSymbolicLinkIsRejected() throws {
        let gz = try realTarGz(files: ["d/api-a.yaml": "x\n"], symlinks: ["d/link.yaml": "api-a.yaml"], format: nil)
        #expect(archiveError { try ArchiveReader.read(gzipped: gz) } == .symbolicLink(name: "./d/link.yaml", target: "api-a.yaml"))
    }

    @Test func tarWriterArchivesAreReadableByRealTar() throws {
        var writer = TarWriter()
        writer.addDirectory("dep-1")
        writer.addFile("dep-1/api-a.yaml", content: bytes("a\n"))
        writer.addFile("dep-1/" + String(repeating: "l", count: 130) + ".yaml", content: bytes("long\n"))
        let listing = try run(["tar", "-tzf", "-"], stdin: try TarWriter.gzip(writer.finish()))
        #expect(listing.split(separator: "\n").map(String.init)
            == ["dep-1/", "dep-1/api-a.yaml", "dep-1/" + String(repeating: "l", count: 130) + ".yaml"])
    }

    // MARK: - What is kept and what is skipped

    @Test func nonYAMLFilesAreIgnoredAndYmlIsAccepted() throws {
        var writer = TarWriter()
        writer.addFile("dep-1/api-a.yaml", content: bytes("a"))
        writer.addFile("dep-1/notes.txt", content: bytes("t"))
        writer.addFile("dep-1/api-a.json", content: bytes("{}"))
        writer.addFile("dep-1/mcp-proxy-b.yml", content: bytes("b"))
        let contents = try ArchiveReader.readContents(gzipped: try TarWriter.gzip(writer.finish()))
        #expect(contents.files["dep-1"]?.map(\.fileName) == ["api-a.yaml", "mcp-proxy-b.yml"])
        #expect(contents.files["dep-1"]?.map(\.content) == [bytes("a"), bytes("b")])
        #expect(contents.skipped.map(\.name) == ["dep-1/notes.txt", "dep-1/api-a.json"])
        #expect(contents.skipped.allSatisfy { $0.reason == .notYAML })
    }

    @Test func rootLevelFilesAndDirectoriesAreIgnored() throws {
        var writer = TarWriter()
        writer.addDirectory("./")
        writer.addFile("api-root.yaml", content: bytes("r"))
        writer.addFile("./api-dot.yaml", content: bytes("d"))
        writer.addDirectory("./dep-1")
        writer.addFile("./dep-1/api-a.yaml", content: bytes("a"))
        let contents = try ArchiveReader.readContents(gzipped: try TarWriter.gzip(writer.finish()))
        #expect(contents.files == ["dep-1": [ArchiveFile(deploymentId: "dep-1", fileName: "api-a.yaml", content: bytes("a"))]])
        #expect(contents.skipped == [
            .init(name: "api-root.yaml", reason: .rootLevel), .init(name: "./api-dot.yaml", reason: .rootLevel),
        ])
    }

    @Test(arguments: ["dep-1/../api-x.yaml", "../dep-2/api-y.yaml", "dep-3/../../etc/api-z.yaml"])
    func pathsWithParentSegmentsRejectTheArchive(path: String) throws {
        var writer = TarWriter()
        writer.addFile("dep-0/api-ok.yaml", content: bytes("ok"))
        writer.addFile(path, content: bytes("x"))
        let error = #expect(throws: ArchiveError.self) { try ArchiveReader.read(gzipped: try TarWriter.gzip(writer.finish())) }
        #expect(error == .parentTraversal(name: path))
    }

    @Test func emptyArchivesGiveNoDeployments() throws {
        #expect(try ArchiveReader.read(gzipped: try TarWriter.gzip([])).isEmpty)
        #expect(try ArchiveReader.read(gzipped: try TarWriter.gzip(TarWriter().finish())).isEmpty)
    }

    // MARK: - Broken input

    @Test func garbageIsNotAGzipStream() throws {
        #expect(archiveError { try ArchiveReader.read(gzipped: bytes("definitely not gzip")) } == .notGzip)
        #expect(archiveError { try ArchiveReader.read(gzipped: []) } == .notGzip)
        #expect(ArchiveError.notGzip.description == "archive is not a gzip stream")
        let corrupt: [UInt8] = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF] + bytes("garbage after a gzip header")
        #expect(archiveError { try ArchiveReader.read(gzipped: corrupt) } == .gzipCorrupt)
    }

    @Test func truncatedGzipStreamIsRejected() throws {
        var writer = TarWriter()
        writer.addFile("dep-1/api-a.yaml", content: bytes("a"))
        let gz = try TarWriter.gzip(writer.finish())
        #expect(archiveError { try ArchiveReader.read(gzipped: Array(gz.dropLast(3))) } == .gzipTruncated)
    }

    @Test func truncatedTarIsRejected() throws {
        var writer = TarWriter()
        writer.addFile("dep-1/api-a.yaml", content: [UInt8](repeating: 0x61, count: 2000))
        let cut = Array(writer.finish().prefix(512 + 1000))
        let error = archiveError { try ArchiveReader.read(gzipped: try TarWriter.gzip(cut)) }
        #expect(error == .truncatedEntry(name: "dep-1/api-a.yaml", offset: 0))
        #expect(error?.description == "archive is truncated inside entry \"dep-1/api-a.yaml\" (header at offset 0)")
        let cutHeader = Array(writer.finish().prefix(300))
        #expect(archiveError { try ArchiveReader.read(gzipped: try TarWriter.gzip(cutHeader)) } == .truncatedHeader(offset: 0))
    }

    @Test func badHeaderChecksumIsRejected() throws {
        var writer = TarWriter()
        writer.addFile("dep-1/api-a.yaml", content: bytes("a"))
        writer.addFile("dep-1/api-b.yaml", content: bytes("b"))
        var tar = writer.finish()
        tar[1024 + 10] ^= 0x01  // a name byte of the second header
        let error = archiveError { try ArchiveReader.read(gzipped: try TarWriter.gzip(tar)) }
        #expect(error == .badChecksum(offset: 1024))
        #expect(error?.description == "bad tar header checksum at offset 1024")
    }

    // MARK: - Hostile entries

    @Test func absolutePathIsRejected() throws {
        var writer = TarWriter()
        writer.addFile("/etc/passwd", content: bytes("root:x:0:0"))
        let error = archiveError { try ArchiveReader.read(gzipped: try TarWriter.gzip(writer.finish())) }
        #expect(error == .absolutePath(name: "/etc/passwd"))
        #expect(error?.description == "archive entry \"/etc/passwd\" has an absolute path")
    }

    @Test func symbolicLinkIsRejected() throws {
        var writer = TarWriter()
        writer.addEntry(name: "d/link.yaml", type: TarWriter.symbolicLinkType, content: [], linkName: "/etc/passwd")
        let error = archiveError { try ArchiveReader.read(gzipped: try TarWriter.gzip(writer.finish())) }
        #expect(error == .symbolicLink(name: "d/link.yaml", target: "/etc/passwd"))
        #expect(error?.description.hasPrefix("archive entry \"d/link.yaml\" is a symbolic link") == true)
    }

    @Test func hardLinkIsRejected() throws {
        var writer = TarWriter()
        writer.addFile("d/api-a.yaml", content: bytes("a"))
        writer.addEntry(name: "d/api-b.yaml", type: TarWriter.hardLinkType, content: [], linkName: "d/api-a.yaml")
        let error = archiveError { try ArchiveReader.read(gzipped: try TarWriter.gzip(writer.finish())) }
        #expect(error == .hardLink(name: "d/api-b.yaml", target: "d/api-a.yaml"))
    }

    @Test(arguments: [
        (TarWriter.characterDeviceType, "character device"), (TarWriter.blockDeviceType, "block device"),
        (TarWriter.fifoType, "FIFO"),
    ])
    func deviceAndFifoEntriesAreRejected(type: UInt8, kind: String) throws {
        var writer = TarWriter()
        writer.addEntry(name: "d/dev.yaml", type: type, content: [])
        let error = archiveError { try ArchiveReader.read(gzipped: try TarWriter.gzip(writer.finish())) }
        #expect(error == .specialFile(name: "d/dev.yaml", kind: kind))
    }

    @Test func unknownEntryTypeIsRejected() throws {
        var writer = TarWriter()
        writer.addEntry(name: "d/sparse.yaml", type: UInt8(ascii: "S"), content: [])
        let error = archiveError { try ArchiveReader.read(gzipped: try TarWriter.gzip(writer.finish())) }
        #expect(error == .unsupportedEntryType(name: "d/sparse.yaml", typeFlag: UInt8(ascii: "S")))
    }

    @Test func oversizedEntryIsRejectedFromItsHeader() throws {
        // The header claims 100 MiB but no data follows: only a header check can report "too large"
        // here; reading the data first would report truncation.
        var writer = TarWriter()
        writer.addEntry(name: "dep-1/api-big.yaml", type: TarWriter.regularType, content: [], sizeOverride: 100 << 20)
        let error = archiveError { try ArchiveReader.read(gzipped: try TarWriter.gzip(writer.finish())) }
        #expect(error == .entryTooLarge(name: "dep-1/api-big.yaml", size: 100 << 20, limit: ArchiveLimits.default.maxEntryBytes))

        var small = TarWriter()
        small.addFile("dep-1/api-a.yaml", content: [UInt8](repeating: 0x61, count: 2000))
        let limits = ArchiveLimits(maxEntryBytes: 1999)
        let gz = try TarWriter.gzip(small.finish())
        #expect(archiveError { try ArchiveReader.read(gzipped: gz, limits: limits) }
            == .entryTooLarge(name: "dep-1/api-a.yaml", size: 2000, limit: 1999))
        #expect(try ArchiveReader.read(gzipped: gz, limits: ArchiveLimits(maxEntryBytes: 2000))["dep-1"]?.first?.content.count == 2000)
    }

    /// The cap is exact: CompressNIO's `maxSize` rounded buffers up and let a 630 MiB bomb through
    /// a 512 MiB cap (found by the hostile-platform catalog).
    @Test(arguments: [(3 << 20) + 7, 5 << 20, 512 << 10])
    func theDecompressedSizeCapIsExact(size: Int) throws {
        var tar = TarWriter()
        tar.addFile("dep-1/api-a.yaml", content: [UInt8](repeating: UInt8(ascii: "#"), count: size))
        let plain = tar.finish()
        let gz = try TarWriter.gzip(plain)
        #expect(throws: Never.self) { try ArchiveReader.read(gzipped: gz, limits: ArchiveLimits(maxEntryBytes: size, maxTotalBytes: plain.count)) }
        let refused = archiveError { try ArchiveReader.read(gzipped: gz, limits: ArchiveLimits(maxEntryBytes: size, maxTotalBytes: plain.count - 1)) }
        #expect(refused == .tooLarge(limit: plain.count - 1))
    }

    @Test func decompressionBombIsRejected() throws {
        let bomb = try TarWriter.gzip([UInt8](repeating: 0, count: 64 << 20))
        #expect(bomb.count < 1 << 20)
        let limits = ArchiveLimits(maxTotalBytes: 1 << 20)
        let error = archiveError { try ArchiveReader.read(gzipped: bomb, limits: limits) }
        #expect(error == .tooLarge(limit: 1 << 20))
        #expect(error?.description == "decompressed archive exceeds 1048576 bytes (decompression bomb?)")
    }

    @Test func tooManyEntriesAreRejected() throws {
        var writer = TarWriter()
        for index in 0..<3 { writer.addFile("dep-\(index)/api-a.yaml", content: bytes("a")) }
        let gz = try TarWriter.gzip(writer.finish())
        #expect(archiveError { try ArchiveReader.read(gzipped: gz, limits: ArchiveLimits(maxEntries: 2)) } == .tooManyEntries(limit: 2))
        #expect(try ArchiveReader.read(gzipped: gz, limits: ArchiveLimits(maxEntries: 3)).count == 3)
    }

    // MARK: - Helpers

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }


    /// Writes the files (and symlinks) to a temporary directory and archives it with `tar czf`,
    /// from inside the directory (so names start with `./`), optionally with `--format`.
    private func realTarGz(files: [String: String], symlinks: [String: String] = [:], format: String?) throws -> [UInt8] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gwops-archive-\(UUID().uuidString)")
        let archive = root.appendingPathExtension("tar.gz")
        let fm = FileManager.default
        defer {
            try? fm.removeItem(at: root)
            try? fm.removeItem(at: archive)
        }
        for (path, content) in files {
            let url = root.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        for (path, target) in symlinks {
            let url = root.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: url.path, withDestinationPath: target)
        }
        var arguments = ["tar"]
        if let format { arguments.append("--format=\(format)") }
        arguments += ["-czf", archive.path, "-C", root.path, "."]
        _ = try run(arguments)
        return [UInt8](try Data(contentsOf: archive))
    }

    /// Runs a command, failing the test on a non-zero exit; returns its standard output.
    @discardableResult
    private func run(_ arguments: [String], stdin: [UInt8]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        if stdin != nil { process.standardInput = input }
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin))
            try input.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        _ = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(arguments.joined(separator: " ")) failed")
        return String(decoding: data, as: UTF8.self)
    }
}

/// The `ArchiveError` `body` throws, nil when it returns or throws something else.
func archiveError(_ body: () throws -> Any) -> ArchiveError? {
    do {
        _ = try body()
        return nil
    } catch let error as ArchiveError {
        return error
    } catch {
        return nil
    }
}
