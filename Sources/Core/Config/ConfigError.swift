/// A configuration problem, reported with the file, the dotted key and a reason an operator can act on.
///
/// Printed as `config FILE: [line N: ][KEY: ]REASON`, for example
/// `config /etc/gwops/config.toml: controller.sync.batch_size: must be between 1 and 1000 (got 0)`.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    /// The configuration file the problem was found in.
    public var file: String
    /// The dotted key the problem is about (`controller.sync.batch_size`), or nil when it is not key-specific.
    public var key: String?
    /// The 1-based line of a TOML syntax error, when known.
    public var line: Int?
    /// What is wrong, as a sentence fragment (`must be between 1 and 1000 (got 0)`).
    public var reason: String

    public init(file: String, key: String? = nil, line: Int? = nil, reason: String) {
        self.file = file
        self.key = key
        self.line = line
        self.reason = reason
    }

    public var description: String {
        var parts = ["config \(file)"]
        if let line { parts.append("line \(line)") }
        if let key { parts.append(key) }
        parts.append(reason)
        return parts.joined(separator: ": ")
    }
}
