internal import Yams

extension YAMLMetadata {
    /// The reading of a real YAML parser, or nil when `yaml` is not one document holding a mapping.
    public static func parsed(_ yaml: String) -> YAMLMetadata? {
        guard let root = try? Yams.compose(yaml: yaml), let top = root.mapping else { return nil }
        let metadata = value(top, "metadata")?.mapping
        let spec = value(top, "spec")?.mapping
        return YAMLMetadata(
            handle: metadata.flatMap { scalar(value($0, "name")) },
            displayName: spec.flatMap { scalar(value($0, "displayName")) },
            version: spec.flatMap { scalar(value($0, "version")) },
            kind: scalar(value(top, "kind")))
    }

    /// The value of the first key whose text is `key`, else of a `<<` merge (as yaml.v3 reads them).
    private static func value(_ mapping: Node.Mapping, _ key: String, depth: Int = 0) -> Node? {
        if let direct = mapping.first(where: { $0.key.scalar?.string == key }) {
            return direct.value
        }
        guard depth < 16 else { return nil }
        for pair in mapping where pair.key.scalar?.string == "<<" && pair.key.scalar?.style == .plain {
            let sources = pair.value.mapping.map { [$0] } ?? (pair.value.sequence?.compactMap(\.mapping) ?? [])
            for source in sources {
                if let merged = value(source, key, depth: depth + 1) { return merged }
            }
        }
        return nil
    }

    /// A scalar's text; nil for a null, an empty string or a collection.
    private static func scalar(_ node: Node?) -> String? {
        guard let scalar = node?.scalar, !scalar.string.isEmpty else { return nil }
        if scalar.style == .plain, ["~", "null", "Null", "NULL"].contains(scalar.string) { return nil }
        return scalar.string
    }
}
