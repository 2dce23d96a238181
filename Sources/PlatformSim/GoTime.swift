import Core

/// Times as the platform's Go code writes them.
enum GoTime {
    /// `time.Time` in JSON (RFC 3339 with nanoseconds, trailing fraction zeros trimmed):
    /// `2026-03-04T10:30:00Z`, `2026-03-04T10:30:00.1Z`, `2026-03-04T10:30:00.123Z`.
    static func json(_ t: Timestamp) -> String {
        var text = t.rfc3339  // …:SS.mmmZ
        text.removeLast()  // Z
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "Z"
    }

    /// `time.Now().Format(time.RFC3339)` on a host whose zone is not UTC: second precision and a
    /// local offset (the live envelope's `timestamp`).
    static func local(_ t: Timestamp, offsetMinutes: Int = 330) -> String {
        let shifted = Timestamp(milliseconds: (t.milliseconds / 1000 + Int64(offsetMinutes) * 60) * 1000).rfc3339
        let sign = offsetMinutes < 0 ? "-" : "+"
        let h = abs(offsetMinutes) / 60, m = abs(offsetMinutes) % 60
        return String(shifted.prefix(19)) + sign + (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}
