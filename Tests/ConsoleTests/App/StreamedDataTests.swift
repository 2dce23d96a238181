import ControlSocket
import Core
import Foundation
import Synchronization
import Testing
import TestSupport

@testable import Console

/// A console through the controller's socket shows what the event stream brings (rows and the
/// events list) as it comes, without waiting for its next refresh.
struct StreamedDataTests {
    /// Every flash `next` saw.
    static let flashes = Mutex<[String]>([])

    @Test(.timeLimit(.minutes(1)))
    func streamedEventsShowWithoutARefresh() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a"), Fixtures.artifact("b")])
        let directory = TemporaryDirectory(prefix: "gwops-streamed")
        defer { directory.remove() }
        let hub = HubBroadcast(limit: 100)
        let service = LocalGatewayService(
            store: f.store, engine: nil, platform: nil, thresholds: LagThresholds(), actor: Principal(user: "controller", clientAddress: nil))
        let serving = try await ServerTask.start("the control socket") { ready in
            try await ControlServer(
                path: directory.file("gw.sock"), service: service, policy: AccessPolicy(viewers: [], operators: [], serviceUID: getuid()),
                hub: hub, logger: .silent("test"), onListening: ready
            ).run()
        }
        defer { serving.cancel() }
        // (A whoami over 3 s, on a loaded machine, is asked again.)
        let client = try #require(try await ControlClient.awaitController(path: directory.file("gw.sock"), environment: [:]))

        // Given a console that refreshes once an hour (so only its first refresh reads the dashboard)
        let inbox = ConsoleInbox()
        let source = ConsoleDataSource(service: client, header: HeaderInfo(), refresh: .seconds(3600), inbox: inbox)
        let running = Task { await source.run() }
        defer { running.cancel() }
        var data = try await Self.next(inbox, "both artifacts") { $0.artifacts.count == 2 && $0.events.map(\.seq) == [2, 1] }

        // When the controller applies three more changes and streams them, one batch at a time
        for name in ["c", "d", "e"] {
            _ = try await f.store.upsertArtifacts([Fixtures.artifact(name)])
            for event in try await f.store.events(after: data.events.first?.seq ?? 0, limit: 10) { hub.publish(event) }
            data = try await Self.next(inbox, "\(name) streamed") { $0.artifacts.contains { $0.summary.uuid == name } }
        }

        // Then each showed in the rows and on top of the events list, named, with no refresh between
        #expect(data.artifacts.count == 5 && data.counts.total == 5)
        #expect(data.events.map(\.seq) == [5, 4, 3, 2, 1])
        #expect(data.eventArtifacts[data.events[0].entityId]?.name == "h-e")

        // And an update of a shown artifact patches its row in place, counts included
        let rowOfA = try #require(data.artifacts.firstIndex { $0.summary.uuid == "a" })
        _ = try await f.store.upsertArtifacts([
            Fixtures.artifact("a", state: .undeployed, deployedAt: Timestamp(milliseconds: 1_800_000_000_000)),
        ])
        for event in try await f.store.events(after: 5, limit: 10) { hub.publish(event) }
        data = try await Self.next(inbox, "a undeployed") { $0.artifacts.first { $0.summary.uuid == "a" }?.summary.desiredState == .undeployed }
        #expect(data.artifacts[rowOfA].summary.uuid == "a" && data.artifacts.count == 5)
        #expect(data.counts.total == 5 && data.counts.undeployed == 1 && data.counts.deployed == 4)
        #expect(data.events.first?.seq == 6)
    }

    /// A console reading the store follows the hub as a replica does: events pruned before it read
    /// them, or an event it cannot read, mean a new snapshot, never a silently stale view.
    @Test(.timeLimit(.minutes(1)))
    func lostOrUnreadableEventsReloadTheView() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a"), Fixtures.artifact("b")])
        let service = LocalGatewayService(
            store: f.store, engine: nil, platform: nil, thresholds: LagThresholds(), actor: Principal(user: "alice", clientAddress: nil))
        // Given a console that refreshes once an hour (it reads the hub only when woken)
        let inbox = ConsoleInbox()
        let source = ConsoleDataSource(service: service, header: HeaderInfo(), refresh: .seconds(3600), inbox: inbox)
        let running = Task { await source.run() }
        defer { running.cancel() }
        _ = try await Self.next(inbox, "both artifacts") { $0.artifacts.count == 2 }

        // When two artifacts are added and their events pruned before the console reads them
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("c"), Fixtures.artifact("d")])
        #expect(try await f.store.pruneEvents(processedBefore: Timestamp(microseconds: Int64.max / 2)) == 4)
        await source.refreshNow()
        // Then the console loads a new snapshot and shows all four
        _ = try await Self.next(inbox, "four artifacts after the reload") { $0.artifacts.count == 4 }

        // When an artifact event whose data cannot be read comes before a good one
        _ = try await f.store.publish([
            NewEvent(eventId: "bad", entityType: "RestApi", action: .update, entityId: "x", eventData: "{}", originatedAt: .now),
        ])
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("e")])
        await source.refreshNow()
        // Then the console says so and reloads: the good change shows, the unreadable one invents nothing
        let data = try await Self.next(inbox, "five artifacts after the reload") { $0.artifacts.count == 5 }
        #expect(!data.artifacts.contains { $0.summary.uuid == "x" })
        #expect(Self.flashes.withLock { $0 }.contains { $0.contains("hub event 5 could not be read") })
    }

    /// The next snapshot the data source posts that satisfies `condition`, within 30 s.
    static func next(_ inbox: ConsoleInbox, _ what: String, _ condition: (ConsoleData) -> Bool) async throws -> ConsoleData {
        let deadline = ContinuousClock.now + .seconds(30)
        var flashes: [String] = [], last: ConsoleData?
        while ContinuousClock.now < deadline {
            let taken = inbox.take()
            flashes += taken.flashes.map(\.text)
            Self.flashes.withLock { $0 += taken.flashes.map(\.text) }
            if let data = taken.data {
                if condition(data) { return data }
                last = data
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw HarnessError.process(
            "no console data with \(what) within 30 s; flashes: \(flashes); last data: \(last.map { "\($0.artifacts.count) rows, events \($0.events.map(\.seq))" } ?? "none")")
    }
}
