import Foundation
import Testing
import TestSupport
@testable import Core

extension StoreConformance {
    /// Storage conformance, `ReplicaRegistry` and `SyncRunLog`: every method, its edge cases, on every backend.
    @Suite struct ReplicaAndRunConformanceTests {
        let t0 = Timestamp(milliseconds: 1_700_000_000_000)

        @Test(arguments: Backend.allCases)
        func aReplicaRegistersStartingAndKeepsItsCursorWhenItRegistersAgain(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            let first = try await f.store.registerReplica(id: "r1", host: "host-a", pid: 100)
            #expect(first.replicaId == "r1" && first.gatewayId == StoreFixture.gatewayId && first.host == "host-a" && first.pid == 100)
            #expect(first.appliedSeq == 0 && first.appliedAt == nil && first.state == .starting && first.resyncs == 0)
            try await f.store.heartbeat(id: "r1", appliedSeq: 42, appliedAt: t0, state: .running, resyncs: 2)
            // A heartbeat without an apply time keeps the last one
            try await f.store.heartbeat(id: "r1", appliedSeq: 43, appliedAt: nil, state: .running, resyncs: 2)
            let again = try await f.store.registerReplica(id: "r1", host: "host-b", pid: 200)
            #expect(again.host == "host-b" && again.pid == 200 && again.state == .starting)
            #expect(again.appliedSeq == 43 && again.appliedAt == t0 && again.resyncs == 2)
            // A heartbeat of an unknown replica changes nothing
            try await f.store.heartbeat(id: "ghost", appliedSeq: 1, appliedAt: t0, state: .running, resyncs: 0)
            _ = try await f.store.registerReplica(id: "r0", host: "host-c", pid: 300)
            #expect(try await f.store.replicas().map(\.replicaId) == ["r0", "r1"], "ordered by id")
            try await f.store.removeReplica(id: "r1")
            try await f.store.removeReplica(id: "ghost")
            #expect(try await f.store.replicas().map(\.replicaId) == ["r0"])
        }

        @Test(arguments: Backend.allCases)
        func lagSamplesAreKeptPerReplicaAndReadInOrder(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            for id in ["r1", "r2"] { _ = try await f.store.registerReplica(id: id, host: "h", pid: 1) }
            func sample(_ id: String, _ second: Int64, lag: Double = 0.5) -> LagSample {
                LagSample(replicaId: id, sampledAt: Timestamp(milliseconds: t0.milliseconds + second * 1000), headSeq: 10 + second, appliedSeq: 10, lagSeconds: lag)
            }
            for s in [0, 1, 2] as [Int64] { try await f.store.recordLagSample(sample("r2", s), keepAfter: Timestamp(milliseconds: 0)) }
            try await f.store.recordLagSample(sample("r1", 0), keepAfter: Timestamp(milliseconds: 0))
            // Recording r1's sample at second 3, keeping after second 1, drops r1's older samples only
            try await f.store.recordLagSample(sample("r1", 3, lag: 1.25), keepAfter: Timestamp(milliseconds: t0.milliseconds + 1000))
            let all = try await f.store.lagSamples(since: Timestamp(milliseconds: 0))
            #expect(all == [sample("r1", 3, lag: 1.25), sample("r2", 0), sample("r2", 1), sample("r2", 2)])
            #expect(all.first?.lagEvents == 3)
            #expect(try await f.store.lagSamples(since: Timestamp(milliseconds: t0.milliseconds + 2000)) == [sample("r1", 3, lag: 1.25), sample("r2", 2)])
            // A sample at the same instant replaces the one recorded there
            try await f.store.recordLagSample(sample("r2", 2, lag: 9), keepAfter: Timestamp(milliseconds: 0))
            #expect(try await f.store.lagSamples(since: Timestamp(milliseconds: t0.milliseconds + 2000)).last == sample("r2", 2, lag: 9))
            try await f.store.removeReplica(id: "r2")
            #expect(try await f.store.lagSamples(since: Timestamp(milliseconds: 0)).map(\.replicaId) == ["r1"], "a removed replica's samples go with it")
        }

        let alice = SyncLeaseHolder(token: "alice-token", host: "host-a/boot-1", pid: getpid())
        let bob = SyncLeaseHolder(token: "bob-token", host: "host-b/boot-1", pid: 4242)

        @Test(arguments: Backend.allCases)
        func theLeaseLetsOneSyncRunAtATime(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            guard case .started(let first) = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "alice", holder: alice, ttl: .seconds(60)) else {
                Issue.record("the first sync did not start")
                return
            }
            #expect(try await f.store.beginSyncRun(trigger: .console, requestedBy: "bob", holder: bob, ttl: .seconds(60)) == .busy(holder: "host-a pid \(getpid())", runId: first))
            #expect(try await f.store.renewSyncLease(holder: alice, ttl: .seconds(60)) == true)
            #expect(try await f.store.renewSyncLease(holder: bob, ttl: .seconds(60)) == false, "only the holder renews")
            var counters = SyncCounters()
            counters.listed = 7
            counters.fetched = 3
            try await f.store.updateSyncRun(id: first, phase: .fetching, counters: counters, errors: ["one batch failed"])
            let running = try #require(try await f.store.syncRun(id: first))
            #expect(running.phase == .fetching && running.outcome == .running && running.counters == counters && running.errors == ["one batch failed"])
            #expect(running.trigger == .cli && running.requestedBy == "alice" && running.finishedAt == nil)
            counters.deleted = 1
            try await f.store.finishSyncRun(id: first, outcome: .partial, counters: counters, errors: ["x"], holder: alice)
            let finished = try #require(try await f.store.syncRun(id: first))
            #expect(finished.phase == .done && finished.outcome == .partial && finished.counters == counters && finished.finishedAt != nil)
            #expect(try await f.store.breakSyncLease() == false, "finishing released the lease")
            guard case .started(let second) = try await f.store.beginSyncRun(trigger: .console, requestedBy: "bob", holder: bob, ttl: .seconds(60)) else {
                Issue.record("the lease was not released")
                return
            }
            #expect(second > first)
            #expect(try await f.store.syncRuns(limit: 10).map(\.id) == [second, first], "newest first")
            #expect(try await f.store.syncRuns(limit: 1).map(\.id) == [second])
            #expect(try await f.store.syncRun(id: second + 100) == nil)
        }

        @Test(arguments: Backend.allCases)
        func anExpiredLeaseIsTakenOverAndItsRunAbandoned(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            guard case .started(let first) = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "bob", holder: bob, ttl: .milliseconds(200)) else {
                Issue.record("the first sync did not start")
                return
            }
            try await Task.sleep(for: .milliseconds(400))
            guard case .started(let second) = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "alice", holder: alice, ttl: .seconds(60)) else {
                Issue.record("an expired lease was not taken over")
                return
            }
            let abandoned = try #require(try await f.store.syncRun(id: first))
            #expect(abandoned.outcome == .abandoned && abandoned.finishedAt != nil)
            // The old holder can neither renew nor close its run as anything else, nor free the new lease
            #expect(try await f.store.renewSyncLease(holder: bob, ttl: .seconds(60)) == false)
            try await f.store.finishSyncRun(id: first, outcome: .succeeded, counters: SyncCounters(), errors: [], holder: bob)
            #expect(try await f.store.syncRun(id: first)?.outcome == .abandoned)
            #expect(try await f.store.beginSyncRun(trigger: .cli, requestedBy: "bob", holder: bob, ttl: .seconds(60)) == .busy(holder: "host-a pid \(getpid())", runId: second))
        }

        @Test(arguments: Backend.allCases)
        func aLeaseWhoseHolderDiedOnThisHostIsTakenOver(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            // A pid that is not running (a child that exited) on the same host
            let dead = try ChildProcess.spawn(["/bin/true"], environment: [:], stdout: "/dev/null", stderr: "/dev/null")
            _ = try ChildProcess.wait(dead, name: "true")
            let gone = SyncLeaseHolder(token: "gone", host: alice.host, pid: dead)
            _ = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "x", holder: gone, ttl: .seconds(3600))
            guard case .started = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "alice", holder: alice, ttl: .seconds(60)) else {
                Issue.record("a dead holder's lease on this host was not taken over")
                return
            }
            // On another host the same pid proves nothing: the lease holds
            let current = try await f.store.syncRuns(limit: 1).first?.id
            let other = SyncLeaseHolder(token: "y", host: "elsewhere/1", pid: dead)
            #expect(try await f.store.beginSyncRun(trigger: .cli, requestedBy: "y", holder: other, ttl: .seconds(60)) == .busy(holder: "host-a pid \(getpid())", runId: current))
        }

        @Test(arguments: Backend.allCases)
        func breakingTheLeaseFreesItForAnyone(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            #expect(try await f.store.breakSyncLease() == false)
            _ = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "bob", holder: bob, ttl: .seconds(3600))
            #expect(try await f.store.breakSyncLease() == true)
            #expect(try await f.store.renewSyncLease(holder: bob, ttl: .seconds(60)) == false, "the broken holder notices at its renewal")
            guard case .started = try await f.store.beginSyncRun(trigger: .cli, requestedBy: "alice", holder: alice, ttl: .seconds(60)) else {
                Issue.record("a broken lease was not free")
                return
            }
        }

        @Test(arguments: Backend.allCases)
        func theAuditLogKeepsWhoDidWhatNewestFirst(backend: Backend) async throws {
            let f = try await StoreFixture.make(backend)
            defer { f.remove() }
            #expect(try await f.store.auditEntries(limit: 10).isEmpty)
            let alice = Principal(user: "alice", clientAddress: "10.0.0.7", peer: "uid 1001, pid 77, control socket")
            try await f.store.appendAudit(actor: alice, action: "review.approve", target: "review 1", outcome: "deleted", detail: "2 keys")
            try await f.store.appendAudit(actor: Principal(user: "root", clientAddress: nil), action: "sync.request", target: "gw", outcome: "started", detail: nil)
            let entries = try await f.store.auditEntries(limit: 10)
            #expect(entries.map(\.action) == ["sync.request", "review.approve"])
            #expect(entries[1].actor == alice && entries[1].target == "review 1" && entries[1].outcome == "deleted" && entries[1].detail == "2 keys")
            #expect(entries[0].actor == Principal(user: "root", clientAddress: nil) && entries[0].detail == nil)
            #expect(entries[0].id > entries[1].id && entries[0].at >= entries[1].at)
            #expect(try await f.store.auditEntries(limit: 1).map(\.action) == ["sync.request"])
        }
    }
}
