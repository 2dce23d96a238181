import Foundation
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// Live events racing a sync, delivered in random orders: the guarded write must make the race
/// harmless on every backend.
struct LiveRaceTests {
    static let actor = Principal(user: "race", clientAddress: nil)

    @Test(arguments: Backend.allCases)
    func randomInterleavingsEndAtTheNewestActionByPerformedAt(backend: Backend) async throws {
        let f = try await StoreFixture.make(backend)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 40, seed: 9) { h in
            let engine = SyncEndToEndTests.engine(f, h)
            try await engine.run(trigger: .cli, requestedBy: Self.actor)
            let ids = Array(await SyncEndToEndTests.deployedIds(h.platform).prefix(20))
            let handler = LiveEventHandler(store: f.store, platform: h.client())
            var rng = SeededRandom(seed: backend == .sqlite ? 11 : 12)
            var clock = Timestamp.now.millisecondPrecision.milliseconds + 60_000
            var delivered = 0
            for round in 0..<8 {
                // Given random deploys and undeploys per artifact, applied to the platform in time order
                var events: [LiveEvent] = []
                for (n, id) in ids.enumerated() {
                    for step in 0..<5 {
                        clock += 1 + Int64(rng.next() % 50)
                        let at = Timestamp(milliseconds: clock)
                        let kind = await h.platform.artifact(id)!.kind
                        if rng.next() % 3 == 0, let current = await h.platform.artifact(id)?.deployment, current.state == .deployed {
                            _ = await h.platform.undeploy(id, performedAt: at)
                            events.append(.undeployed(LiveDeploymentAction(kind: kind, artifactId: id, deploymentId: current.deploymentId, performedAt: at)))
                        } else {
                            let dep = "dep-r\(round)-\(n)-\(step)"
                            _ = await h.platform.deploy(id, deploymentId: dep, performedAt: at)
                            events.append(.deployed(LiveDeploymentAction(kind: kind, artifactId: id, deploymentId: dep, performedAt: at)))
                        }
                    }
                }
                events.shuffle(using: &rng)
                // When four deliverers and a sync race
                let chunks = stride(from: 0, to: events.count, by: (events.count + 3) / 4).map { Array(events[$0..<min($0 + (events.count + 3) / 4, events.count)]) }
                let acks = try await withThrowingTaskGroup(of: [(LiveEvent, LiveOutcome)].self) { group in
                    for chunk in chunks {
                        group.addTask { var out: [(LiveEvent, LiveOutcome)] = []; for e in chunk { out.append((e, try await handler.handle(e))) }; return out }
                    }
                    group.addTask {
                        try await Self.syncIgnoringBusy(engine)
                        return []
                    }
                    var all: [(LiveEvent, LiveOutcome)] = []
                    for try await part in group { all += part }
                    return all
                }
                delivered += events.count
                // Then acks echo the event and fail only on a deployment id mismatch
                for (event, outcome) in acks {
                    guard case .ack(let ack) = outcome else {
                        #expect(outcome == .none, "\(event) was not applied: \(outcome)")
                        continue
                    }
                    switch event {
                    case .deployed(let a), .undeployed(let a):
                        #expect(ack.artifactId == a.artifactId && ack.deploymentId == a.deploymentId && ack.performedAt == a.performedAt.rfc3339)
                    default: Issue.record("ack for \(event)")
                    }
                    #expect(ack.status == "success" || ack.errorCode == "DEPLOYMENT_ID_MISMATCH", "\(ack)")
                }
                // And once the sync has run on the final listing, every artifact is at its newest action
                try await Self.syncIgnoringBusy(engine)
                for id in ids {
                    let want = try #require(await h.platform.artifact(id)?.deployment)
                    let have = try #require(try await f.store.artifact(uuid: id))
                    #expect(have.deploymentId == want.deploymentId && have.deployedAt == want.deployedAt, "round \(round) \(id)")
                    #expect(have.desiredState == want.state.desiredState, "round \(round) \(id)")
                }
            }
            // And no stale write published an event: per artifact, event times only go up
            let events = try await f.store.events(after: 0, limit: 1_000_000)
            var last: [String: Timestamp] = [:]
            for e in events {
                guard let at = ArtifactEvents.decode(e)?.deployedAt else { continue }
                if let before = last[e.entityId] { #expect(before < at, "seq \(e.seq) for \(e.entityId) is not newer than the previous event") }
                last[e.entityId] = at
            }
            #expect(delivered == 8 * 20 * 5)
        }
    }

    static func syncIgnoringBusy(_ engine: SyncEngine) async throws {
        while true {
            do {
                try await engine.run(trigger: .reconnect, requestedBy: actor)
                return
            } catch SyncError.busy {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
