import Testing
@testable import Core

struct TimestampTests {
    @Test(arguments: [
        ("2026-03-04T10:30:00Z", Int64(1_772_620_200_000_000)),
        ("2026-03-04T10:30:00.123Z", Int64(1_772_620_200_123_000)),
        ("2026-03-04T12:30:00.5+02:00", Int64(1_772_620_200_500_000)),
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("1969-12-31T23:59:59.999Z", Int64(-1000)),
        ("2000-02-29T00:00:00Z", Int64(951_782_400_000_000)),
    ])
    func parsesRFC3339(text: String, micros: Int64) {
        #expect(Timestamp(rfc3339: text)?.microseconds == micros)
    }

    @Test(arguments: ["", "yesterday", "2026-13-01T00:00:00Z", "2026-03-04 10:30", "2026-03-04T10:30:00", "2026-03-04T10:30:00Zjunk"])
    func rejectsNonDates(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func formatsWithMillisecondsAndRoundTrips() {
        let t = Timestamp(microseconds: 1_772_620_200_123_456)
        #expect(t.rfc3339 == "2026-03-04T10:30:00.123Z")
        #expect(Timestamp(rfc3339: t.rfc3339) == t.millisecondPrecision)
        #expect(Timestamp(microseconds: -1).rfc3339 == "1969-12-31T23:59:59.999Z")
    }
}
