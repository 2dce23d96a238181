import Foundation

/// Reads a `gwops controller --apply-log` file: one `seq event_id` line per applied event.
public enum ApplyLogFile {
    /// The seqs in file order.
    /// - Throws: when the file cannot be read.
    public static func seqs(_ path: String) throws -> [Int64] {
        let log = try String(contentsOfFile: path, encoding: .utf8)
        return log.split(separator: "\n").compactMap { Int64($0.split(separator: " ").first ?? "") }
    }
}
