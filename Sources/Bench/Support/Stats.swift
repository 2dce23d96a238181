import Foundation

/// min / median / max of repeated measurements.
struct Spread: Sendable {
    var min: Double
    var median: Double
    var max: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        min = sorted.first ?? .nan
        max = sorted.last ?? .nan
        median = sorted.isEmpty ? .nan : Percentiles.of(sorted, 0.5)
    }

    var json: Figure { ["min": .number(min), "median": .number(median), "max": .number(max)] }

    /// "median [min–max]", or the one value of a single run.
    func text(_ digits: Int = 1) -> String {
        min == max ? f(median, digits) : "\(f(median, digits)) [\(f(min, digits))–\(f(max, digits))]"
    }
}

enum Percentiles {
    /// The `p` quantile (0...1) of already sorted values, nearest rank.
    static func of(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank))]
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

/// Figures from `/proc/self/status`.
enum ProcStatus {
    /// A `kB` field (VmRSS, VmHWM) in MB.
    static func megabytes(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kb / 1024
    }
}

/// Wall-clock microseconds (comparable across processes on one host).
func wallMicros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}

/// `x` with `digits` decimals.
func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
