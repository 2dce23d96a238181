import ControlSocket
import Core
import Foundation
import Synchronization
import Testing
import TestSupport

/// The socket's path and what hostile or broken clients do to it (RELIABILITY.md): the controller
/// keeps serving everyone else.
struct ControlRobustnessTests {
    @Test func aSocketLeftByADeadControllerIsReplacedAndALiveOneIsNot() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let directory = TemporaryDirectory(prefix: "gwops-socket")
        defer { directory.remove() }
        let path = directory.file("gw.sock")
        // A socket file nobody listens on, as a killed controller leaves it
        let status = try ChildProcess.run(
            ["/usr/bin/python3", "-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path], environment: [:],
            stdout: directory.file("py.out"), stderr: directory.file("py.err"))
        #expect(status == 0 && FileManager.default.fileExists(atPath: path))
        let service = LocalGatewayService(store: f.store, engine: nil, platform: nil, thresholds: LagThresholds(), actor: Principal(user: "c", clientAddress: nil))
        let policy = AccessPolicy(viewers: [], operators: [], serviceUID: getuid())
        let first = try await ServerTask.start("the control socket") { ready in
            try await ControlServer(path: path, service: service, policy: policy, hub: HubBroadcast(), logger: .silent("test"), onListening: ready).run()
        }
        #expect(try await ControlHarness.connect(path: path) != nil, "the stale socket was replaced")

        // A second controller on the same path is refused, naming the one serving it
        let second = ControlServer(path: path, service: service, policy: policy, hub: HubBroadcast(), logger: .silent("test"))
        let error = #expect(throws: ControlSocketError.self) { try second.claim() }
        await #expect(throws: ControlSocketError.self) { try await second.run() }
        #expect(error?.description.contains("another gwops controller (pid \(getpid())) is serving \(path)") == true, "\(String(describing: error))")
        #expect(try await ControlHarness.connect(path: path) != nil, "the first still serves")
        first.cancel()
        _ = await first.result
        #expect(!FileManager.default.fileExists(atPath: path), "a controller that stops removes its socket")

        // A file that is not a socket is never removed
        _ = FileManager.default.createFile(atPath: path, contents: Data("notes".utf8))
        let third = ControlServer(path: path, service: service, policy: policy, hub: HubBroadcast(), logger: .silent("test"))
        let notSocket = #expect(throws: ControlSocketError.self) { try third.claim() }
        await #expect(throws: ControlSocketError.self) { try await third.run() }
        #expect(notSocket?.description.contains("exists and is not a socket") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "notes")
    }

    @Test func garbageHugeBodiesStalledAndManyClientsLeaveTheOthersServed() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a")])
        let h = try await ControlHarness.start(store: f.store, limits: ControlLimits(idleTimeout: .seconds(1)))

        // Garbage instead of HTTP: an error answer or a closed connection, nothing else
        let garbage = try RawConnection(path: h.path)
        garbage.send("\u{0}\u{1}NOT HTTP AT ALL\r\n\r\n")
        let answer = try await garbage.readToEnd()
        #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")

        // A body over 64 KiB: 413 in words
        let huge = try RawConnection(path: h.path)
        let body = String(repeating: "x", count: 70_000)
        huge.send("POST /v1/reviews/1/decision HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        let refused = try await huge.readToEnd()
        #expect(refused.hasPrefix("HTTP/1.1 413"), "\(refused.prefix(300))")
        #expect(refused.contains("over 64 KiB"), "\(refused.prefix(300))")

        // Bad JSON: 400 naming what is wrong
        let bad = try RawConnection(path: h.path)
        let json = #"{"decision":"maybe"}"#
        bad.send("POST /v1/reviews/1/decision HTTP/1.1\r\nHost: x\r\nContent-Length: \(json.utf8.count)\r\nConnection: close\r\n\r\n\(json)")
        let rejected = try await bad.readToEnd()
        #expect(rejected.hasPrefix("HTTP/1.1 400") && rejected.contains("not the JSON this call takes"), "\(rejected.prefix(300))")

        // A client that stalls mid-request is cut off (idle timeout 1 s; readToEnd throws when the
        // connection is still open after 30 s)…
        let stalled = try RawConnection(path: h.path)
        stalled.send("GET /v1/status HTTP/1.1\r\nHost: x\r\n")
        // …while 16 clients at once are answered
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 { group.addTask { try await h.client.status().artifacts.total } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: 1, count: 16))
        _ = try await stalled.readToEnd()

        // And a client that never reads its event stream is ended once it falls behind; the hub
        // keeps no more than the limit for it
        let slow = try RawConnection(path: h.path)
        slow.send("GET /v1/events/stream?after=0 HTTP/1.1\r\nHost: x\r\n\r\n")
        let subscribed = ContinuousClock.now + .seconds(10)
        while h.hub.subscriberCount == 0, ContinuousClock.now < subscribed { try await Task.sleep(for: .milliseconds(20)) }
        #expect(h.hub.subscriberCount == 1)
        // (2 KiB events: the socket's buffers fill, the server's writer waits, the hub's queue
        // for this client fills)
        let event = HubEvent(
            gatewayId: "g", seq: 2, eventId: "e", entityType: "RestApi", action: .update, entityId: "a",
            eventData: String(repeating: "x", count: 2048), originatedAt: .now, processedAt: .now)
        var published = 0
        while h.hub.subscriberCount > 0, published < 20_000 {
            for _ in 0..<500 { h.hub.publish(event) }
            published += 500
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(h.hub.subscriberCount == 0, "a client that does not read is dropped once 100 events behind (\(published) published)")
        #expect(try await h.client.status().artifacts.total == 1)
        await h.stop()
    }

    @Test func everySubscriberSharesOneWireFormOfAnEvent() async throws {
        let hub = HubBroadcast(limit: 10)
        let (a, b) = (hub.subscribe(), hub.subscribe())
        hub.publish(HubEvent(
            gatewayId: "g", seq: 1, eventId: "e1", entityType: "RestApi", action: .update, entityId: "a", eventData: "{}",
            originatedAt: .now, processedAt: .now))
        var (ia, ib) = (a.makeAsyncIterator(), b.makeAsyncIterator())
        guard case .event(let first)? = await ia.next(), case .event(let second)? = await ib.next() else {
            Issue.record("a subscriber missed the event")
            return
        }
        let encodes = Mutex(0)
        let one = try first.wireForm { _ in encodes.withLock { $0 += 1 }; return Data("one".utf8) }
        let two = try second.wireForm { _ in encodes.withLock { $0 += 1 }; return Data("two".utf8) }
        #expect(first === second && one == two && encodes.withLock { $0 } == 1)
    }

    @Test func aSlowSubscriberIsEndedAndTheOthersKeepEveryEvent() async throws {
        let hub = HubBroadcast(limit: 10)
        let slow = hub.subscribe()
        let fast = hub.subscribe()
        let reader = Task {
            var seqs: [Int64] = []
            for await case .event(let shared) in fast {
                seqs.append(shared.event.seq)
                if seqs.count == 50 { break }
            }
            return seqs
        }
        for seq in 1...50 {
            hub.publish(HubEvent(
                gatewayId: "g", seq: Int64(seq), eventId: "e\(seq)", entityType: "RestApi", action: .update, entityId: "a",
                eventData: "{}", originatedAt: .now, processedAt: .now))
            if seq % 5 == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(await reader.value == Array(1...50))
        var kept = 0
        for await case .event in slow { kept += 1 }
        #expect(kept == 10, "the slow one got what fit, then its stream ended")
        #expect(hub.subscriberCount <= 1)
    }
}
