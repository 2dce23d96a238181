import Core
import Foundation
import Synchronization

/// The apply log a campaign's controller keeps (`gwops-campaign controller --apply-log PATH`):
/// one `seq event_id` line for every event its replica applied, so tests and campaigns check
/// order and completeness across crashes.
///
/// The replica reports events at least once across crashes; the log keeps its last seq (read
/// back when it opens) and skips what it already has, so each seq appears exactly once. A line
/// cut short by a kill is dropped when the log reopens.
public final class ApplyLog: Sendable {
    let handle: FileHandle
    private let lastSeq: Mutex<Int64>

    public init(path: String) throws {
        let exists = FileManager.default.fileExists(atPath: path)
        guard exists || FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forUpdatingAtPath: path)
        else {
            throw HarnessError.process("cannot write apply log \(path)")
        }
        var text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        if !text.isEmpty, !text.hasSuffix("\n") {
            text = String(text[..<(text.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex)])
            try handle.truncate(atOffset: UInt64(text.utf8.count))
        }
        handle.seekToEndOfFile()
        self.handle = handle
        let last = text.split(separator: "\n").last.flatMap { Int64($0.split(separator: " ").first ?? "") } ?? 0
        lastSeq = Mutex(last)
    }

    public func append(_ event: HubEvent) {
        let isNew = lastSeq.withLock { last in
            guard event.seq > last else { return false }
            last = event.seq
            return true
        }
        if isNew { handle.write(Data("\(event.seq) \(event.eventId)\n".utf8)) }
    }

    public func close() { try? handle.close() }

    /// The seqs of the log at `path`, in file order.
    /// - Throws: when the file cannot be read.
    public static func seqs(_ path: String) throws -> [Int64] {
        let log = try String(contentsOfFile: path, encoding: .utf8)
        return log.split(separator: "\n").compactMap { Int64($0.split(separator: " ").first ?? "") }
    }
}
