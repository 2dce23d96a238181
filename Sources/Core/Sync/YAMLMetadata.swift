/// The identifying fields of a deployment's YAML: top-level `kind`, `metadata.name` (the handle),
/// `spec.displayName` and `spec.version`.
///
/// The platform writes deployment content with gopkg.in/yaml.v3 (4-space indent), but any valid
/// YAML document must read the same. A fast byte scanner (``scanned(_:)``) reads the plain block
/// style that YAML writers produce; whenever a document holds anything it does not fully
/// understand (flow mappings, anchors, escapes, block scalars or continuation lines where a field
/// is, a second document…) it declines, and a real YAML parser (``parsed(_:)``, libyaml through
/// Yams) reads the document instead. A differential test and a fuzz target check that the scanner
/// agrees with the parser on every document it accepts.
public struct YAMLMetadata: Sendable, Equatable {
    public var handle: String?
    public var displayName: String?
    public var version: String?
    public var kind: String?

    /// Reads `yaml`; fields that are absent, empty, null or not scalars are nil.
    public init(yaml: String) {
        self = Self.scanned(yaml) ?? Self.parsed(yaml) ?? YAMLMetadata()
    }

    public init(handle: String? = nil, displayName: String? = nil, version: String? = nil, kind: String? = nil) {
        self.handle = handle
        self.displayName = displayName
        self.version = version
        self.kind = kind
    }

    /// The fast reading, or nil when the scanner is not sure and the parser must decide.
    public static func scanned(_ yaml: String) -> YAMLMetadata? {
        var text = yaml
        return text.withUTF8 { bytes in
            var scanner = YAMLMetadataScanner(bytes)
            return scanner.scan()
        }
    }
}
