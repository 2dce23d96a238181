import Core
import FuzzDriver
import Foundation

/// The deployment-YAML reader's fast scanner against the YAML parser: wherever the scanner
/// answers for a document the parser reads, the two agree (a disagreement traps).
func fuzzYAMLMetadata(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    if let scanned = YAMLMetadata.scanned(text), let parsed = YAMLMetadata.parsed(text) {
        if scanned != parsed {
            // Said before the trap: an optimized build drops a precondition's message.
            FileHandle.standardError.write(Data("scanner \(scanned) and parser \(parsed) disagree on \(text.debugDescription)\n".utf8))
            abort()
        }
    }
    _ = YAMLMetadata(yaml: text)
    return 0
}

exit(FuzzDriver.run(fuzzYAMLMetadata))
