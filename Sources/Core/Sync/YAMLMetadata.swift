/// Reads the identifying fields of a deployment's YAML: `metadata.name` (the handle),
/// `spec.displayName` and `spec.version`. Only block-style mappings are needed for these keys.
///
/// It scans UTF-8 bytes and stops once every field is found: it runs once per fetched
/// deployment, and a Character-based reading was 40% of a sync's CPU time.
public struct YAMLMetadata: Sendable, Equatable {
    public var handle: String?
    public var displayName: String?
    public var version: String?
    public var kind: String?

    public init(yaml: String) {
        var text = yaml
        text.withUTF8 { parse($0) }
    }

    private enum Section {
        case metadata, spec, other
    }

    private mutating func parse(_ b: UnsafeBufferPointer<UInt8>) {
        var section = Section.other
        var lineStart = 0
        while lineStart < b.count, handle == nil || displayName == nil || version == nil || kind == nil {
            var next = lineStart
            while next < b.count, b[next] != ascii("\n") { next += 1 }
            var end = next
            if end > lineStart, b[end - 1] == ascii("\r") { end -= 1 }
            defer { lineStart = next + 1 }
            var start = lineStart
            while start < end, b[start] == ascii(" ") { start += 1 }
            let indent = start - lineStart
            guard start < end, b[start] != ascii("#"), let colon = (start..<end).first(where: { b[$0] == ascii(":") }) else { continue }
            let key = Self.trimmed(b, start, colon)
            if indent == 0 {
                section = Self.equals(b, key, "metadata") ? .metadata : Self.equals(b, key, "spec") ? .spec : .other
                if kind == nil, Self.equals(b, key, "kind") { kind = Self.scalar(b, colon + 1, end) }
                continue
            }
            guard indent == 2 else { continue }
            switch section {
            case .metadata where handle == nil && Self.equals(b, key, "name"):
                handle = Self.scalar(b, colon + 1, end)
            case .spec where displayName == nil && Self.equals(b, key, "displayName"):
                displayName = Self.scalar(b, colon + 1, end)
            case .spec where version == nil && Self.equals(b, key, "version"):
                version = Self.scalar(b, colon + 1, end)
            default:
                break
            }
        }
    }

    /// `[start, end)` without surrounding spaces and tabs.
    private static func trimmed(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
        var (s, e) = (start, end)
        while s < e, b[s] == ascii(" ") || b[s] == ascii("\t") { s += 1 }
        while e > s, b[e - 1] == ascii(" ") || b[e - 1] == ascii("\t") { e -= 1 }
        return s..<e
    }

    private static func equals(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        return range.allSatisfy { b[$0] == word.utf8Start[$0 - range.lowerBound] }
    }

    /// A plain or quoted scalar, without a trailing ` # comment`; nil when empty.
    private static func scalar(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String? {
        var r = trimmed(b, start, end)
        if let hash = r.dropFirst().first(where: { b[$0] == ascii("#") && b[$0 - 1] == ascii(" ") }) {
            r = trimmed(b, r.lowerBound, hash - 1)
        }
        if r.count >= 2, b[r.lowerBound] == ascii("\"") || b[r.lowerBound] == ascii("'"), b[r.upperBound - 1] == b[r.lowerBound] {
            r = r.lowerBound + 1..<r.upperBound - 1
        }
        return r.isEmpty ? nil : String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
    }
}

private func ascii(_ c: Unicode.Scalar) -> UInt8 { UInt8(c.value) }
