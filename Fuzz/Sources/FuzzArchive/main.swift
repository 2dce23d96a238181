import Core
import FuzzDriver
import Foundation

/// The batch archive reader on arbitrary bytes: it may refuse them, never crash, hang or grow
/// past its limits. Small limits so the fuzzer reaches them.
func fuzzArchive(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = ArchiveLimits(maxEntryBytes: 64 << 10, maxTotalBytes: 1 << 20, maxEntries: 1_000)
    if let contents = try? ArchiveReader.readContents(gzipped: bytes, limits: limits) {
        // What the reader accepts must honour the limits it was given.
        let files = contents.files.values.flatMap { $0 }
        precondition(files.count <= limits.maxEntries)
        precondition(files.allSatisfy { $0.content.count <= limits.maxEntryBytes })
        precondition(files.allSatisfy { !$0.fileName.contains("/") && $0.fileName != ".." })
    }
    return 0
}

exit(FuzzDriver.run(fuzzArchive))
