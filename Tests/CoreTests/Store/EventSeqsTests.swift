import Testing
@testable import Core

/// How a published batch gets its seqs, as a table: (why, the batch's ids, ids already taken,
/// describesChanges, the seqs, the ids stored). The head is 10.
struct EventSeqsTests {
    static func event(_ id: String) -> NewEvent {
        NewEvent(eventId: id, entityType: "RestApi", action: .create, entityId: "a", eventData: "{}", originatedAt: Timestamp(microseconds: 0))
    }

    @Test(arguments: [
        ("new ids take the next seqs", ["a", "b"], [], false, [11, 12], ["a", "b"]),
        ("a retained id is a duplicate", ["a", "b"], ["a"], false, [nil, 11], ["b"]),
        ("an id twice in one batch", ["a", "a", "b"], [], false, [11, nil, 12], ["a", "b"]),
        ("all taken: no seq, nothing stored", ["a"], ["a"], false, [nil], []),
        ("a change that happened is never dropped", ["a", "b"], ["a"], true, [11, 12], ["a:x", "b"]),
        ("twice in a batch of changes", ["a", "a"], [], true, [11, 12], ["a", "a:x"]),
    ] as [(String, [String], Set<String>, Bool, [Int64?], [String])])
    func assign(why: String, ids: [String], taken: Set<String>, describesChanges: Bool, seqs: [Int64?], stored: [String]) {
        let result = EventSeqs.assign(ids.map(Self.event), after: 10, taken: taken, describesChanges: describesChanges, freshSuffix: { "x" })
        #expect(result.seqs == seqs, "\(why)")
        #expect(result.rows.map(\.event.eventId) == stored, "\(why)")
        #expect(result.rows.map(\.seq) == seqs.compactMap { $0 }, "\(why)")
    }
}
