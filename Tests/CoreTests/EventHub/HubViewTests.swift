import Testing
import TestSupport
@testable import Core

/// The one rule a replica and a console follow the hub by.
struct HubViewTests {
    static func event(_ seq: Int64, _ action: EventAction, _ uuid: String, kind: String = "RestApi", data: String? = nil) -> HubEvent {
        let summary = Fixtures.summary(uuid, state: action == .delete ? .undeployed : .deployed)
        return HubEvent(
            gatewayId: "gw", seq: seq, eventId: "e\(seq)", entityType: kind, action: action, entityId: uuid,
            eventData: data ?? ArtifactEvents.encode(summary), originatedAt: Timestamp(microseconds: seq),
            processedAt: Timestamp(microseconds: 1000 + seq))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var events: [HubEvent]
        var outcome: HubView.Outcome
        var cursor: Int64
        var uuids: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "create and update apply", events: [event(11, .create, "b"), event(12, .update, "a")],
             outcome: .applied, cursor: 12, uuids: ["a", "b"]),
        Case(name: "delete removes", events: [event(11, .delete, "a")], outcome: .applied, cursor: 11, uuids: []),
        Case(name: "a key event moves the cursor only", events: [event(11, .create, "k1", kind: "ApiKey", data: "{}")],
             outcome: .applied, cursor: 11, uuids: ["a"]),
        Case(name: "an event already seen changes nothing", events: [event(10, .delete, "a"), event(9, .create, "z")],
             outcome: .applied, cursor: 10, uuids: ["a"]),
        Case(name: "unreadable data stops before it", events: [event(11, .create, "b"), event(12, .update, "c", data: "{}"), event(13, .delete, "a")],
             outcome: .unreadable(seq: 12), cursor: 11, uuids: ["a", "b"]),
        Case(name: "data about another artifact is unreadable",
             events: [event(11, .update, "a", data: ArtifactEvents.encode(Fixtures.summary("x")))],
             outcome: .unreadable(seq: 11), cursor: 10, uuids: ["a"]),
    ]

    @Test(arguments: cases)
    func applies(_ c: Case) {
        var view = HubView(artifacts: [Fixtures.summary("a")], headSeq: 10)
        var heard: [String] = []
        #expect(view.apply(c.events) { uuid, _ in heard.append(uuid) } == c.outcome)
        #expect(view.cursor == c.cursor)
        #expect(view.artifacts.keys.sorted() == c.uuids)
        // willChange hears exactly the artifact changes applied, in order
        let applied = c.events.filter { $0.seq > 10 && $0.seq <= c.cursor && ArtifactKind(rawValue: $0.entityType) != nil }
        #expect(heard == applied.map(\.entityId))
    }

    @Test func willChangeHearsTheValueBefore() {
        var view = HubView(artifacts: [Fixtures.summary("a")], headSeq: 1)
        var before: [ArtifactSummary?] = []
        _ = view.apply([Self.event(2, .update, "a"), Self.event(3, .create, "n")]) { _, old in before.append(old) }
        #expect(before == [Fixtures.summary("a"), nil])
        #expect(view.appliedAt == Timestamp(microseconds: 1003))
    }

    @Test func reloadKeepsNothing() {
        var view = HubView(artifacts: [Fixtures.summary("a")], headSeq: 1)
        _ = view.apply([Self.event(2, .create, "b")])
        view.reload(ViewSnapshot(artifacts: [Fixtures.summary("c")], headSeq: 40))
        #expect(view.cursor == 40 && view.artifacts.keys.sorted() == ["c"] && view.appliedAt == nil)
    }
}
