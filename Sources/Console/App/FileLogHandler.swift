import Core
import Foundation
import Logging
import Synchronization

/// A swift-log handler that appends to a file: the console never logs to the terminal.
struct FileLogHandler: LogHandler {
    let label: String
    let sink: FileSink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let meta = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(Timestamp.now.rfc3339) \(event.level) \(label): \(event.message)\(meta)\n")
    }

}

/// An append-only file shared by loggers.
package final class FileSink: Sendable {
    private let handle: Mutex<FileHandle?>

    /// The console's log: `$XDG_STATE_HOME/gwops/console.log` (or `~/.local/state/...`), else /tmp.
    package static func consoleLogPath(environment: [String: String]) -> String {
        let base = environment["XDG_STATE_HOME"] ?? environment["HOME"].map { "\($0)/.local/state" } ?? NSTemporaryDirectory()
        return "\(base)/gwops/console.log"
    }

    package init(path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let h = FileHandle(forWritingAtPath: path)
        h?.seekToEndOfFile()
        handle = Mutex(h)
    }

    func write(_ line: String) {
        handle.withLock { $0?.write(Data(line.utf8)) }
    }

    /// A logger writing here.
    package func logger(_ label: String, level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: label) { [self] in FileLogHandler(label: $0, sink: self) }
        logger.logLevel = level
        return logger
    }
}
