import Foundation

/// Parses the human duration syntax used in the configuration file and on the command line.
///
/// Accepted: a non-negative decimal number followed by an optional unit — `ms`, `s`, `m`, `h` or
/// `d` — such as `"250ms"`, `"30s"`, `"1.5s"`, `"5m"`, `"24h"`, `"7d"`. A number without a unit is
/// a number of seconds (`"10"`). Units are lower-case (`"5M"` is rejected rather than guessed).
public enum DurationParser {
    /// Nanoseconds per unit, by suffix.
    private static let unitNanoseconds: [String: Int64] = [
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "": 1_000_000_000,
        "m": 60 * 1_000_000_000,
        "h": 3_600 * 1_000_000_000,
        "d": 86_400 * 1_000_000_000,
    ]

    /// Parses `text` (`"250ms"`, `"30s"`, `"5m"`, `"24h"`, `"7d"`, `"10"`) into a duration.
    /// Returns nil for anything else, including negative values and values too large to represent.
    public static func parse(_ text: String) -> Duration? {
        let body = text.trimmingCharacters(in: .whitespaces)
        let number = body.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = body.dropFirst(number.count).drop(while: \.isWhitespace)
        guard let perUnit = unitNanoseconds[String(unit)] else { return nil }

        let pieces = number.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 1 || pieces.count == 2, !pieces[0].isEmpty,
            let whole = Int64(pieces[0])
        else { return nil }

        let (wholeNanos, overflow) = whole.multipliedReportingOverflow(by: perUnit)
        guard !overflow else { return nil }

        var fractionNanos: Int64 = 0
        if pieces.count == 2 {
            let digits = pieces[1]
            guard !digits.isEmpty, let fraction = Double("0.\(digits)"),
                let scaled = Int64(exactly: (fraction * Double(perUnit)).rounded())
            else { return nil }
            fractionNanos = scaled
        }

        let (total, sumOverflow) = wholeNanos.addingReportingOverflow(fractionNanos)
        guard !sumOverflow else { return nil }
        return .nanoseconds(total)
    }

    /// A duration of `seconds` seconds, or nil when negative, not finite, or too large.
    static func seconds(_ seconds: Double) -> Duration? {
        guard seconds.isFinite, seconds >= 0,
            let nanos = Int64(exactly: (seconds * 1_000_000_000).rounded())
        else { return nil }
        return .nanoseconds(nanos)
    }

    /// A duration of `seconds` whole seconds, or nil when negative or too large.
    static func seconds(_ seconds: Int) -> Duration? {
        guard seconds >= 0 else { return nil }
        let (nanos, overflow) = Int64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? nil : .nanoseconds(nanos)
    }
}
