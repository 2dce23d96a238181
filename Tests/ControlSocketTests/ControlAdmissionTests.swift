import Core
import Foundation
import NIOCore
import Testing
import TestSupport
@testable import ControlSocket

/// Who gets one of the socket's connections (RELIABILITY.md, "The control socket"): decided at
/// accept, so an account without a role never holds one, one account never holds more than its
/// share, and viewers never take the operators' reserve.
struct ControlAdmissionTests {
    static let policy = AccessPolicy(viewers: ["view"], operators: ["ops"], serviceUID: 990)

    static func peer(_ uid: UInt32, _ user: String, _ groups: [String]) -> PeerIdentity {
        PeerIdentity(uid: uid, gid: 100, pid: 1, user: user, groups: groups)
    }

    static let (viewer, otherViewer) = (peer(1001, "vera", ["view"]), peer(1002, "victor", ["view"]))
    static let (op, stranger, root) = (peer(1003, "olga", ["ops"]), peer(1004, "sam", ["users"]), peer(0, "root", []))

    @Test func anAccountWithoutARoleOrUnnamedIsRefusedAndHoldsNothing() throws {
        let admission = ControlAdmission(limits: ControlLimits(maxConnections: 4), policy: Self.policy, logger: .silent("test"))
        guard case .refused(let refusal) = admission.admit(Self.stranger) else { throw Failure("a peer without a role was admitted") }
        #expect(refusal.status == 403 && refusal.reason == .noRole)
        #expect(refusal.sentence.contains("sam may not use this gateway's control socket"), "\(refusal.sentence)")
        guard case .refused(let unnamed) = admission.admit(nil) else { throw Failure("a peer the kernel did not name was admitted") }
        #expect(unnamed.reason == .noCredentials && unnamed.status == 403)
        #expect(admission.stats.connections.values.reduce(0, +) == 0)
        #expect(admission.stats.refused == [.noRole: 1, .noCredentials: 1])
    }

    @Test func oneAccountHoldsAtMostItsShareAndRootIsNotCounted() throws {
        let admission = ControlAdmission(limits: ControlLimits(maxConnections: 100, perAccount: 3), policy: Self.policy, logger: .silent("test"))
        var tickets: [ControlAdmission.Ticket] = []
        for _ in 0..<3 {
            guard case .admitted(let ticket) = admission.admit(Self.viewer) else { throw Failure("a viewer under the limit was refused") }
            tickets.append(ticket)
        }
        guard case .refused(let refusal) = admission.admit(Self.viewer) else { throw Failure("a fourth connection of one account was admitted") }
        #expect(refusal.status == 429 && refusal.reason == .accountLimit)
        #expect(refusal.sentence.contains("vera holds 3 connections") && refusal.sentence.contains("max_connections_per_user = 3"), "\(refusal.sentence)")
        // Another account is not held back by vera's
        guard case .admitted = admission.admit(Self.otherViewer) else { throw Failure("another account was refused") }
        // One closes: vera may connect again
        admission.release(tickets[0])
        guard case .admitted = admission.admit(Self.viewer) else { throw Failure("a released slot was not given back") }
        // Root is never held to one account's share
        for _ in 0..<5 {
            guard case .admitted = admission.admit(Self.root) else { throw Failure("root was refused under the socket's limit") }
        }
        #expect(admission.stats.connections == [.viewer: 4, .operator: 5])
        #expect(admission.stats.refused == [.accountLimit: 1])
    }

    @Test func viewersNeverTakeTheOperatorsReserve() throws {
        let limits = ControlLimits(maxConnections: 6, reservedForOperators: 2, perAccount: 10)
        let admission = ControlAdmission(limits: limits, policy: Self.policy, logger: .silent("test"))
        for _ in 0..<4 {
            guard case .admitted = admission.admit(Self.viewer) else { throw Failure("a viewer was refused below the reserve") }
        }
        guard case .refused(let full) = admission.admit(Self.otherViewer) else { throw Failure("a viewer took the operators' reserve") }
        #expect(full.status == 503 && full.reason == .full)
        #expect(full.sentence.contains("2 are kept for operators"), "\(full.sentence)")
        // The operators' reserve is theirs, then the socket is full for everyone
        guard case .admitted = admission.admit(Self.op), case .admitted = admission.admit(Self.root) else {
            throw Failure("an operator was refused the reserve")
        }
        guard case .refused(let none) = admission.admit(Self.op) else { throw Failure("the socket served over its limit") }
        #expect(none.reason == .full && none.sentence.contains("serves 6 connections, all;"), "\(none.sentence)")
    }

    @Test func refusalsAreLoggedOncePerAccountAndReasonAMinute() {
        let capture = LogCapture()
        let admission = ControlAdmission(limits: ControlLimits(), policy: Self.policy, logger: capture.logger())
        for _ in 0..<500 { _ = admission.admit(Self.stranger) }
        _ = admission.admit(Self.peer(1005, "mallory", []))
        let lines = capture.all.filter { $0.contains("control socket connection refused") }
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first?.contains("account=sam") == true && lines.first?.contains("reason=no_role") == true, "\(lines)")
        #expect(admission.stats.refused[.noRole] == 501)
        // (A minute on, the next line counts those held back: `aThrottleCountsWhatItHoldsBackIntoTheNextPass`.)
    }

    /// A viewer asking in a loop is audited once a period per action: what it tried is on
    /// record, and the audit log does not grow with how fast it asks.
    @Test func aViewersRefusedActionsAreAuditedOnceAPeriod() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let controller = LocalGatewayService(
            store: f.store, engine: nil, platform: nil, thresholds: LagThresholds(), actor: Principal(user: "controller", clientAddress: nil),
            refusalAudits: Throttle(period: .seconds(60)))
        for user in ["vera", "victor"] {
            let viewer = controller.acting(as: Principal(user: user, clientAddress: nil), refusal: "\(user) is a viewer and may not act")
            for _ in 0..<50 {
                await #expect(throws: ActionRefused.self) { _ = try await viewer.decide(reviewId: 1, decision: .approve, seen: nil, force: false) }
            }
            await #expect(throws: ActionRefused.self) { try await viewer.startSync(trigger: .console) }
        }
        let refused = try await f.store.auditEntries(limit: 1000).filter { $0.outcome == "refused" }
        #expect(refused.count == 4, "one per account and action: \(refused.map { "\($0.actor.user) \($0.action)" })")
    }

    /// The throttle's rule: one pass a period per key, the held back counted into the next.
    @Test func aThrottleCountsWhatItHoldsBackIntoTheNextPass() {
        let throttle = Throttle(period: .seconds(60))
        let start = ContinuousClock.now
        #expect(throttle.pass("a", now: start) == 0)
        for second in 1...9 { #expect(throttle.pass("a", now: start + .seconds(second)) == nil) }
        #expect(throttle.pass("b", now: start + .seconds(10)) == 0, "keys are counted apart")
        #expect(throttle.pass("a", now: start + .seconds(60)) == 9)
        #expect(throttle.pass("a", now: start + .seconds(61)) == nil)
    }

    @Test func aRefusedRequestIsReadWholeBeforeItIsAnswered() {
        func whole(_ text: String) -> Bool { RefusalHandler.isWhole(ByteBuffer(string: text)) }
        #expect(!whole("GET /v1/status HTTP/1.1\r\nHost: x\r\n"))
        #expect(whole("GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(!whole("POST /v1/sync HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"a\":"))
        #expect(whole("POST /v1/sync HTTP/1.1\r\ncontent-length: 5\r\n\r\n{\"a\":"))
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
