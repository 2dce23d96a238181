import PlatformSim
import Testing
import TestSupport
@testable import Core

/// The fast scanner against the YAML parser: wherever the scanner gives an answer for a
/// document the parser reads, the two agree. (Fuzz/FuzzYAMLMetadata checks the same property
/// coverage-guided; this runs seeded mutations in `swift test`.)
struct YAMLMetadataDifferentialTests {
    /// Documents in many styles: the simulator's (yaml.v3) of every kind, and hand-made ones.
    static let seeds: [String] = {
        var docs = ContentGenerator.sampleDocuments()
        docs += [
            "kind: RestApi\nmetadata:\n  name: a\n  labels:\n    team: x\nspec:\n  displayName: A b\n  version: v1\n  ops:\n  - m: GET\n",
            "# c\n---\nmetadata:\n   name: 'q'\nspec:\n   version: \"2\" # c\n   displayName: x # y\n",
            "metadata: {name: f}\nspec:\n    version: v9\n",
            "spec:\r\n    version: v1\r\nmetadata:\r\n    name: crlf\r\n",
            "metadata:\n    name: |\n        block\nspec:\n    version: >\n        folded\n",
        ]
        return docs
    }()

    /// Characters that change how YAML reads.
    static let alphabet: [String] = [
        " ", "  ", "    ", "\n", "\r\n", "\t", ":", ": ", "-", "- ", "#", " #", "\"", "'", "{", "}", "[", "]", ",", "&a ", "*a",
        "!", "|", ">", "?", "%", "@", "`", "\\", "---", "...", "~", "null", "name", "metadata", "spec", "version", "displayName",
        "kind", "<<", "x", "é", "\u{85}", "\u{FEFF}", "\0",
    ]

    /// Seconds of CPU: run on a thread of its own, so the tests waiting on servers and sessions
    /// beside it keep the cooperative pool (OffPool).
    @Test func scannerAgreesWithTheParserOnMutatedDocuments() async throws {
        let (compared, scannedCount, disagreements) = try await OffPool.runInBackground {
            var rng = SeededRandom(seed: 20261130)
            var compared = 0, scannedCount = 0, disagreements: [String] = []
            for _ in 0..<20_000 {
                var doc = Array(Self.seeds[Int(rng.next() % UInt64(Self.seeds.count))].unicodeScalars)
                for _ in 0..<(1 + Int(rng.next() % 4)) { Self.mutate(&doc, &rng) }
                var text = ""
                text.unicodeScalars.append(contentsOf: doc)
                guard let parsed = YAMLMetadata.parsed(text) else { continue }
                compared += 1
                guard let scanned = YAMLMetadata.scanned(text) else { continue }
                scannedCount += 1
                if scanned != parsed { disagreements.append(text.debugDescription) }
            }
            return (compared, scannedCount, disagreements)
        }
        #expect(disagreements.isEmpty, "scanner and parser disagree on:\n\(disagreements.prefix(5).joined(separator: "\n"))")
        // The run must exercise both paths, or it proves nothing.
        #expect(compared > 3000, "\(compared)")
        #expect(scannedCount > 2000, "\(scannedCount)")
    }

    @Test func everySimulatorDocumentTakesTheFastPath() {
        for doc in ContentGenerator.sampleDocuments() {
            #expect(YAMLMetadata.scanned(doc) != nil, "\(doc)")
            #expect(YAMLMetadata.scanned(doc) == YAMLMetadata.parsed(doc))
        }
    }

    static func mutate(_ doc: inout [Unicode.Scalar], _ rng: inout SeededRandom) {
        let position = doc.isEmpty ? 0 : Int(rng.next() % UInt64(doc.count + 1))
        switch rng.next() % 5 {
        case 0, 1:
            let piece = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            doc.insert(contentsOf: piece.unicodeScalars, at: position)
        case 2:
            if !doc.isEmpty { doc.removeSubrange(position..<min(doc.count, position + 1 + Int(rng.next() % 3))) }
        case 3:
            // Re-indent a line.
            let start = doc[..<position].lastIndex(of: "\n").map { $0 + 1 } ?? 0
            let spaces = Int(rng.next() % 9)
            var end = start
            while end < doc.count, doc[end] == " " { end += 1 }
            doc.replaceSubrange(start..<end, with: Array(repeating: " ", count: spaces))
        default:
            // Duplicate a line.
            let start = doc[..<position].lastIndex(of: "\n").map { $0 + 1 } ?? 0
            let end = doc[position...].firstIndex(of: "\n").map { $0 + 1 } ?? doc.count
            doc.insert(contentsOf: Array(doc[start..<end]), at: start)
        }
    }
}
