import Foundation
import Testing
@testable import Console

/// Compares a rendered screen with a committed snapshot under `__Snapshots__/`. Run with
/// `GWOPS_RECORD_SNAPSHOTS=1` to write new snapshots (then read them before committing).
enum ScreenSnapshot {
    static func directory(_ file: String) -> String {
        ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent("__Snapshots__")
    }

    static func assert(_ buffer: ScreenBuffer, named name: String, file: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation) {
        let dir = directory(file)
        let path = (dir as NSString).appendingPathComponent("\(name).txt")
        let actual = buffer.trimmedLines.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["GWOPS_RECORD_SNAPSHOTS"] == "1" {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try? actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            Issue.record("no snapshot \(name).txt; record with GWOPS_RECORD_SNAPSHOTS=1\n\(actual)", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            Issue.record("screen \(name) differs\n--- expected\n\(expected)--- actual\n\(actual)", sourceLocation: sourceLocation)
        }
    }

    /// Compares with lines given inline (small widgets).
    static func assert(_ buffer: ScreenBuffer, equals lines: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = ScreenBuffer(lines: lines).trimmedLines
        let actual = buffer.trimmedLines
        if expected != actual {
            Issue.record(
                "screen differs\n--- expected\n\(expected.joined(separator: "\n"))\n--- actual\n\(actual.joined(separator: "\n"))",
                sourceLocation: sourceLocation)
        }
    }
}
