import Core
import Foundation
import Testing
import TestSupport
import ConsoleTesting
@testable import Console

/// The events view follows the hub, newest first, and names artifacts by kind and name.
@Suite(.timeLimit(.minutes(2)))
struct EventsViewTests {
    /// One row of the events table on screen.
    struct Row {
        var seq: Int64
        var selected: Bool
        var text: String
    }

    /// The event rows of `screen`, top to bottom.
    static func rows(_ screen: ScreenBuffer) -> [Row] {
        screen.trimmedLines.compactMap { line in
            let cells = line.dropFirst()
            guard let marker = cells.first else { return nil }
            let words = cells.dropFirst().split(separator: " ")
            guard words.count >= 2, let seq = Int64(words[0]), EventAction(rawValue: String(words[1])) != nil else { return nil }
            return Row(seq: seq, selected: marker == "▶", text: String(cells))
        }
    }

    /// Stores artifacts `petstore-api-N` for each N: one CREATE event each, seq N on a new store.
    static func store(_ f: StoreFixture, _ numbers: ClosedRange<Int>) async throws {
        _ = try await f.store.upsertArtifacts(numbers.map { Fixtures.artifact(Self.uuid($0), handle: "petstore-api-\($0)") })
    }

    static func uuid(_ n: Int) -> String { String(format: "7f0c1e2a-0000-4000-8000-%012d", n) }

    /// A console on `f` without a platform, on the test backend.
    static func start(_ f: StoreFixture) -> ConsoleFlowTests.Session {
        let backend = TestBackend(width: 120, height: 40)
        let header = HeaderInfo(gateway: StoreFixture.gatewayId, backend: "sqlite", location: f.sqlitePath, operatorName: "alice")
        let service = LocalGatewayService(
            store: f.store, engine: nil, platform: nil, thresholds: LagThresholds(), actor: Principal(user: "alice", clientAddress: nil))
        let session = ConsoleSession(
            service: service, header: header,
            refresh: .milliseconds(200), themeName: "default", logger: .silent("test"))
        let done = Task { await session.run(on: backend, theme: .test, environment: ["USER": "alice"]) }
        return ConsoleFlowTests.Session(backend: backend, done: done)
    }

    /// Waits until the event rows on screen satisfy `condition`.
    static func waitUntil(_ s: ConsoleFlowTests.Session, _ what: String, _ condition: ([Row]) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if condition(rows(s.backend.screen)) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the events view never showed \(what):\n\(s.backend.text)")
        throw HarnessError.timeout(what)
    }

    @Test func followsTheHubNewestFirstAndKeepsAPickedEvent() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        // Given a store with seq 1–3 and a console on the events view
        try await Self.store(f, 1...3)
        let s = Self.start(f)
        try await s.press(.char("5"))
        try await Self.waitUntil(s, "seq 3 selected on top") { $0.first?.seq == 3 && $0.first?.selected == true }
        // When more events than a screen holds arrive
        try await Self.store(f, 4...43)
        // Then the newest is on top, and the selection, which was on the newest, still is
        try await Self.waitUntil(s, "seq 43 selected on top") { $0.first?.seq == 43 && $0.first?.selected == true }
        // When the operator picks the third row and five more events arrive
        try await s.press(.char("j"), .char("j"))
        try await Self.waitUntil(s, "seq 41 selected") { $0.first(where: \.selected)?.seq == 41 }
        try await Self.store(f, 44...48)
        // Then they show on top, and the selection stays on the picked event
        try await Self.waitUntil(s, "seq 48 on top, seq 41 selected") { rows in
            rows.first?.seq == 48 && rows.first(where: \.selected)?.seq == 41
        }
        await s.quit()
    }

    @Test func entityIsTheArtifactsKindAndNameAndItsUUIDOnlyWhenUnknown() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        // Given a stored artifact (seq 1), the deletion of one no longer stored (seq 2), and an
        // event whose data names nothing (seq 3)
        try await Self.store(f, 7...7)
        let gone = ArtifactSummary(
            uuid: Self.uuid(8), handle: "legacy-billing", kind: .llmProvider, desiredState: .deployed, deploymentId: nil, deployedAt: nil)
        _ = try await f.store.publish([ArtifactEvents.deletion(gone)])
        _ = try await f.store.publish([
            NewEvent(eventId: "odd-1", entityType: "Mcp", action: .update, entityId: Self.uuid(9), eventData: "{}", originatedAt: .now),
        ])
        // When the console reads the store and shows the events view
        let inbox = ConsoleInbox()
        let service = LocalGatewayService(
            store: f.store, engine: nil, platform: nil, thresholds: LagThresholds(), actor: Principal(user: "alice", clientAddress: nil))
        let source = ConsoleDataSource(service: service, header: HeaderInfo(), refresh: .seconds(1), inbox: inbox)
        let running = Task { await source.run() }
        defer { running.cancel() }
        var app = ConsoleApp(readonly: false, width: 120, height: 40)
        app.update(try await StreamedDataTests.next(inbox, "three events and the stored artifact") {
            $0.events.count == 3 && $0.artifacts.count == 1
        })
        _ = app.handle(.char("5"))
        let rows = Self.rows(app.render(now: .now, theme: .test))
        // Then rows name the artifacts by kind and name, and show a UUID only for the unknown one
        try #require(rows.map(\.seq) == [3, 2, 1])
        #expect(rows[2].text.contains("REST petstore-api-7"), "\(rows[2].text)")
        #expect(!rows[2].text.contains(Self.uuid(7)), "\(rows[2].text)")
        #expect(rows[1].text.contains("LLM-PROV legacy-billing"), "\(rows[1].text)")
        #expect(rows[0].text.contains("MCP \(Self.uuid(9))"), "\(rows[0].text)")
        // And the filter finds events by their artifact's name
        for key in [Key.char("/"), .char("b"), .char("i"), .char("l"), .char("l"), .enter] { _ = app.handle(key) }
        #expect(Self.rows(app.render(now: .now, theme: .test)).map(\.seq) == [2])
    }

    @Test func enterOpensTheEventsArtifactWithItsUUID() {
        // Given the events view with the second event selected
        var app = ConsoleFixtures.app(width: 120, height: 40)
        _ = app.handle(.char("5"))
        _ = app.handle(.char("j"))
        let event = app.data.events[1]
        // When the operator presses Enter
        let effects = app.handle(.enter)
        // Then the detail of its artifact opens, and shows the UUID the row leaves out
        #expect(effects == [.loadDetail(event.entityId)])
        #expect(app.render(now: ConsoleFixtures.now, theme: .test).lines.joined().contains(event.entityId))
    }
}

extension EventsViewTests {
    static func selectedSeq(_ app: ConsoleApp) -> Int64? {
        let c = app.state[cursor: .events]
        guard let rows = app.visible[.events], c.selected < rows.count else { return nil }
        return app.data.events[rows[c.selected]].seq
    }

    static func topSeq(_ app: ConsoleApp) -> Int64? {
        let c = app.state[cursor: .events]
        guard let rows = app.visible[.events], c.offset < rows.count else { return nil }
        return app.data.events[rows[c.offset]].seq
    }

    /// `n` new events on top of the app's data, as a refresh brings them.
    static func arrive(_ n: Int, on app: inout ConsoleApp) {
        var data = app.data
        let head = data.events.first?.seq ?? 0
        let new = (1...Int64(n)).reversed().map { i in
            HubEvent(
                gatewayId: "gw-prod-1", seq: head + i, eventId: "evt-\(head + i)", entityType: "RestApi", action: .create,
                entityId: "uuid-new-\(head + i)", eventData: "{}", originatedAt: ConsoleFixtures.now, processedAt: ConsoleFixtures.now)
        }
        data.events = Array((new + data.events).prefix(500))
        app.update(data)
    }

    @Test func selectionOnTheNewestFollowsTheHubAndAPickedEventStaysSelected() {
        // Given the events view (80×24: 15 rows), the selection on the newest event
        var app = ConsoleFixtures.app(width: 80, height: 24)
        _ = app.handle(.char("5"))
        #expect(Self.selectedSeq(app) == 1200)
        // When five events arrive, then the newest is on top and selected
        Self.arrive(5, on: &app)
        #expect(Self.topSeq(app) == 1205)
        #expect(Self.selectedSeq(app) == 1205)
        // When the operator picks the third row and three events arrive, then they show on top
        // and the selection stays on the picked event
        _ = app.handle(.char("j"))
        _ = app.handle(.char("j"))
        #expect(Self.selectedSeq(app) == 1203)
        Self.arrive(3, on: &app)
        #expect(Self.topSeq(app) == 1208)
        #expect(Self.selectedSeq(app) == 1203)
        // When more than a screen arrives, then the picked event stays selected and on screen
        Self.arrive(40, on: &app)
        let c = app.state[cursor: .events]
        #expect(Self.selectedSeq(app) == 1203)
        #expect(c.offset <= c.selected && c.selected < c.offset + app.state.tableRows)
    }
}
