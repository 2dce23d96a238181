import Core

/// Reads a gateway's small tables (`Dashboard`: hub position, replicas and their lag, open
/// reviews, runs, key counts) every `refresh`, and at once when woken (a key that acted), at most
/// ten times a second however often it is woken. One of these is all a view of a gateway's state
/// needs; the artifacts come from a `HubFollower`.
struct DashboardPoller: Sendable {
    let service: any GatewayService
    let refresh: Duration
    /// What the wait between reads is measured on (a test clock in tests).
    let clock: any Clock<Duration>
    private let wakes: AsyncStream<Void>
    private let waker: AsyncStream<Void>.Continuation
    /// Reads are at least this far apart.
    static let minimumGap: Duration = .milliseconds(100)
    /// How much lag history each read carries (the replicas view's trend).
    static let lagWindow: Duration = .seconds(600)

    init(service: any GatewayService, refresh: Duration, clock: any Clock<Duration> = ContinuousClock()) {
        self.service = service
        self.refresh = refresh
        self.clock = clock
        (wakes, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Reads now (a wake while a read runs is kept: the last ask still shows 100 ms later).
    func wake() { waker.yield() }

    /// Reads until cancelled, each read carrying `recentEvents()` of the newest events; `deliver`
    /// hears every read's outcome. Call once.
    func run(recentEvents: @escaping @Sendable () async -> Int, deliver: @escaping @Sendable (Result<Dashboard, any Error>) async -> Void) async {
        await withDiscardingTaskGroup { group in
            group.addTask { [clock, refresh, waker] in
                while true {
                    waker.yield()
                    do { try await clock.sleep(for: refresh) } catch { return }
                }
            }
            for await _ in wakes {
                let wanted = await recentEvents()
                do {
                    await deliver(.success(try await service.dashboard(recentEvents: wanted, lagWindow: Self.lagWindow)))
                } catch {
                    await deliver(.failure(error))
                }
                do { try await clock.sleep(for: Self.minimumGap) } catch { break }
            }
            group.cancelAll()
        }
    }
}
