/// A point in time as integer microseconds since the Unix epoch (UTC).
///
/// Platform times are truncated to milliseconds on every path (`millisecondPrecision`) so that the
/// live path and the startup sync compare equal values.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(milliseconds: Int64) { self.microseconds = milliseconds * 1000 }
    public init(seconds: Double) { self.microseconds = Int64((seconds * 1_000_000).rounded()) }

    public var milliseconds: Int64 { microseconds.floorDiv(1000) }
    public var seconds: Double { Double(microseconds) / 1_000_000 }

    /// The same instant with everything below the millisecond dropped.
    public var millisecondPrecision: Timestamp { Timestamp(microseconds: milliseconds * 1000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    public func adding(seconds: Double) -> Timestamp {
        Timestamp(microseconds: microseconds + Int64((seconds * 1_000_000).rounded()))
    }

    public func adding(_ duration: Duration) -> Timestamp {
        Timestamp(microseconds: microseconds + duration.microseconds)
    }

    public func subtracting(_ duration: Duration) -> Timestamp { adding(.zero - duration) }

    public func seconds(since other: Timestamp) -> Double { Double(microseconds - other.microseconds) / 1_000_000 }

    public var description: String { rfc3339 }

    public init(from decoder: Decoder) throws {
        self.microseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(microseconds)
    }
}

extension Int64 {
    func floorDiv(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }

    func floorMod(_ divisor: Int64) -> Int64 { self - floorDiv(divisor) * divisor }
}
