import Foundation
import Testing
import TestSupport
@testable import Core

/// The campaign controller's apply log (`gwops-campaign controller --apply-log`). Found by the replica crash campaign: a replica
/// killed between storing its cursor and writing the log lost that event from the log; events
/// are now reported before the cursor is stored, so the log must drop what it already has.
struct ApplyLogTests {
    static func event(_ seq: Int) -> HubEvent {
        HubEvent(
            gatewayId: "gw", seq: Int64(seq), eventId: "e\(seq)", entityType: "RestApi", action: .create, entityId: "a\(seq)",
            eventData: "{}", originatedAt: Timestamp(microseconds: 0), processedAt: Timestamp(microseconds: 0))
    }

    @Test func eventsReportedAgainAfterARestartAreLoggedOnce() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("apply.log")
        let first = try ApplyLog(path: path)
        for seq in 1...3 { first.append(Self.event(seq)) }
        first.close()

        // When the restarted replica reports 2 and 3 again, then 4
        let second = try ApplyLog(path: path)
        for seq in 2...4 { second.append(Self.event(seq)) }
        second.close()

        #expect(try String(contentsOfFile: path, encoding: .utf8) == "1 e1\n2 e2\n3 e3\n4 e4\n")
    }

    @Test func aLineCutShortByAKillIsDroppedAndWrittenAgain() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("apply.log")
        try "1 e1\n2 e2\n3 e".write(toFile: path, atomically: true, encoding: .utf8)

        let log = try ApplyLog(path: path)
        for seq in 2...4 { log.append(Self.event(seq)) }
        log.close()

        #expect(try String(contentsOfFile: path, encoding: .utf8) == "1 e1\n2 e2\n3 e3\n4 e4\n")
    }
}
