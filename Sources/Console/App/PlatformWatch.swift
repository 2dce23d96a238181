import Core

/// The platform's listing as a console knows it, for the SYNC column and the header's
/// reachability: listed whole every `fullListing` (to notice deletions), and in between asked
/// only what changed since the last whole listing (`?since=`, cheap) every `probe`. The gateway
/// service asks it (the controller holds the key).
package struct PlatformWatch: Sendable {
    let probe: Duration
    let fullListing: Duration
    /// nil while the platform is unknown or unreachable: the SYNC column then says Unknown.
    private(set) var mirror: RemoteMirror?
    private var lastFullListing: Timestamp?
    private var lastProbe: Timestamp?

    package init(probe: Duration = .seconds(10), fullListing: Duration = .seconds(300)) {
        self.probe = probe
        self.fullListing = fullListing
    }

    /// What one question found.
    struct Answer: Equatable {
        /// The listing changed what the rows show.
        var mirrorChanged = false
        /// nil: not asked (too soon, or no platform configured).
        var reachable: Bool?
    }

    /// Asks the platform if it is time to, at `now` (the database's clock).
    mutating func ask(_ service: any GatewayService, now: Timestamp) async -> Answer {
        let full = lastFullListing.map { now.seconds(since: $0) >= fullListing.seconds } ?? true
        guard full || mirror == nil || lastProbe.map({ now.seconds(since: $0) >= probe.seconds }) ?? true else { return Answer() }
        lastProbe = now
        var answer = Answer()
        do {
            if full || mirror == nil {
                guard let listing = try await service.listDeployments(since: nil) else { return answer }
                var fresh = mirror ?? RemoteMirror()
                answer.mirrorChanged = fresh.replace(with: listing.deployments) || mirror == nil
                mirror = fresh
                lastFullListing = now
                MemoryTrim.releaseFreePages()
            } else if var known = mirror, let since = lastFullListing {
                guard let listing = try await service.listDeployments(since: since.adding(seconds: -1)) else { return answer }
                answer.mirrorChanged = known.merge(listing.deployments)
                mirror = known
            }
            answer.reachable = true
        } catch {
            answer.reachable = false
            answer.mirrorChanged = mirror != nil
            mirror = nil
        }
        return answer
    }
}
