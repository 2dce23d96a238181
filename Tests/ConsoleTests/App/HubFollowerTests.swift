import Core
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Console

/// What the console's hub follower does when the gateway's pushed event stream fails: the events
/// still come (read from the service), a failure that may pass is retried, and a refusal that
/// would only be repeated is given up and said once.
@Suite(.timeLimit(.minutes(1)))
struct HubFollowerTests {
    /// A failure the gateway answered with an HTTP status (nil: no answer at all).
    struct Answered: AnsweredError {
        var status: Int?
    }

    static func failing(_ error: any Error) -> @Sendable (Int64) -> AsyncThrowingStream<[HubEvent], any Error>? {
        { _ in AsyncThrowingStream { throw error } }
    }

    /// Follows `service`'s hub from 0 until the four events of two artifacts are delivered and
    /// `also` holds.
    static func followFour(
        _ f: StoreFixture, _ service: CountingService, _ follower: HubFollower, also: @escaping @Sendable () -> Bool = { true }
    ) async throws {
        let delivered = Mutex<[Int64]>([])
        let following = Task {
            try await follower.follow(after: 0) { @Sendable delivery in
                if case .events(let events) = delivery { delivered.withLock { $0 += events.map(\.seq) } }
                return true
            }
        }
        defer { following.cancel() }
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("a"), Fixtures.artifact("b")])
        _ = try await f.store.upsertArtifacts([Fixtures.artifact("c"), Fixtures.artifact("d")])
        try await waitUntil(seconds: 20) {
            follower.wake()
            return delivered.withLock { $0 } == [1, 2, 3, 4] && also()
        }
    }

    static func service(_ f: StoreFixture, pushes: @escaping @Sendable (Int64) -> AsyncThrowingStream<[HubEvent], any Error>?) -> CountingService {
        CountingService(
            LocalGatewayService(store: f.store, engine: nil, platform: nil, thresholds: LagThresholds(), actor: Principal(user: "a", clientAddress: nil)),
            pushes: pushes)
    }

    @Test(arguments: [
        ("a viewer's refusal", ActionRefused("alice may not follow events") as any Error),
        ("an older controller without the stream", Answered(status: 404)),
        ("a forbidden stream", Answered(status: 403)),
    ])
    func aRefusedStreamIsGivenUpAndSaidOnceWhileEventsStillCome(why: String, error: any Error) async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let service = Self.service(f, pushes: Self.failing(error))
        let follower = HubFollower(service: service, clock: ImmediateClock())
        try await Self.followFour(f, service, follower)
        #expect(service.followed == 1, "\(why): the stream was asked for \(service.followed) times")
        let problem = try #require(follower.takeStreamProblem(), "\(why)")
        #expect(problem.contains("does not stream its events"), "\(problem)")
        #expect(follower.takeStreamProblem() == nil, "said once")
    }

    @Test func aStreamThatFailsWithoutAnAnswerIsOpenedAgain() async throws {
        let f = try await StoreFixture.make()
        defer { f.remove() }
        let service = Self.service(f, pushes: Self.failing(Answered(status: nil)))
        let follower = HubFollower(service: service, clock: ImmediateClock())
        try await Self.followFour(f, service, follower) { service.followed >= 3 }
        #expect(follower.takeStreamProblem() == nil)
    }
}
