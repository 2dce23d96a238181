/// Reads the identifying fields of a deployment's YAML: `metadata.name` (the handle),
/// `spec.displayName` and `spec.version`. Only block-style mappings are needed for these keys.
public struct YAMLMetadata: Sendable, Equatable {
    public var handle: String?
    public var displayName: String?
    public var version: String?
    public var kind: String?

    public init(yaml: String) {
        var section = ""
        for rawLine in yaml.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            let trimmed = line.drop { $0 == " " }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indent = line.count - trimmed.count
            guard let colon = trimmed.firstIndex(of: ":") else { continue }
            let key = String(trimmed[..<colon]).trimmingSpaces
            let value = Self.scalar(trimmed[trimmed.index(after: colon)...])
            if indent == 0 {
                section = key
                if key == "kind" { kind = value }
                continue
            }
            guard indent == 2 else { continue }
            switch (section, key) {
            case ("metadata", "name"): handle = handle ?? value
            case ("spec", "displayName"): displayName = displayName ?? value
            case ("spec", "version"): version = version ?? value
            default: break
            }
        }
    }

    static func scalar(_ text: Substring) -> String? {
        var value = String(text).trimmingSpaces
        if let hash = value.range(of: " #") { value = String(value[..<hash.lowerBound]).trimmingSpaces }
        if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
            value = String(value.dropFirst().dropLast())
        }
        return value.isEmpty ? nil : value
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
