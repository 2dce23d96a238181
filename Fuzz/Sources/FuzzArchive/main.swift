import Core
import FuzzDriver
import Foundation

/// The batch archive reader on arbitrary bytes: it may refuse them, never crash, hang or grow
/// past its limits, and it reads them alike whole or in pieces of any size. Small limits so the
/// fuzzer reaches them.
func fuzzArchive(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = ArchiveLimits(maxEntryBytes: 64 << 10, maxTotalBytes: 1 << 20, maxEntries: 1_000, maxKeptBytes: 256 << 10)
    let whole = Result { try ArchiveReader.readContents(gzipped: bytes, limits: limits) }
    if case .success(let contents) = whole {
        // What the reader accepts must honour the limits it was given.
        let files = contents.files.values.flatMap { $0 }
        precondition(files.count <= limits.maxEntries)
        precondition(files.allSatisfy { $0.content.count <= limits.maxEntryBytes })
        precondition(files.reduce(0) { $0 + $1.content.count } <= limits.maxKeptBytes)
        precondition(files.allSatisfy { !$0.fileName.contains("/") && $0.fileName != ".." })
    }
    // The same bytes in pieces (their size taken from the input) give the same answer.
    let piece = 1 + Int(bytes.last ?? 0) % 97
    let pieces = Result { () throws -> ArchiveReader.Contents in
        let stream = try ArchiveStream(limits: limits)
        var start = 0
        while start < bytes.count {
            try stream.push(Array(bytes[start..<min(start + piece, bytes.count)]))
            start += piece
        }
        return try stream.finish()
    }
    switch (whole, pieces) {
    case (.success(let a), .success(let b)): precondition(a == b, "whole and in pieces of \(piece) differ")
    case (.failure(let a), .failure(let b)):
        precondition("\(a)" == "\(b)", "whole: \(a); in pieces of \(piece): \(b)")
    default: preconditionFailure("whole: \(whole); in pieces of \(piece): \(pieces)")
    }
    return 0
}

exit(FuzzDriver.run(fuzzArchive))
