import Foundation
import PlatformSim
import Testing
import TestSupport
@testable import Core

/// The hostile-platform catalog: a sync runs under each named fault, then the store is checked.
/// Nothing is deleted, nothing changes except by valid data, every row change has its event, the
/// run's report names the trouble, and a sync after the fault converges.
struct HostilePlatformTests {
    @Test(arguments: HostileCatalog.all.map(\.name))
    func aSyncUnderTheFaultLosesNothingAndTheNextOneConverges(fault name: String) async throws {
        // Six at a time, so the rest of the suite running alongside is not starved.
        try await Self.slots.run { try await Self.check(fault: name) }
    }

    static let slots = Slots(6)

    static func check(fault name: String) async throws {
        let f = try await StoreFixture.make(.sqlite)
        defer { f.remove() }
        try await SimulatorHarness.with(deployments: 40, seed: 5) { h in
            let engine = Self.engine(f.store, Self.client(h))
            // Given a synced gateway whose platform has since moved on
            let baseline = try await engine.run(trigger: .cli, requestedBy: Self.actor)
            #expect(baseline.outcome == .succeeded)
            try await Self.movePlatformOn(h.platform, f.store)
            let before = try await Snapshot(f.store)

            // When a sync runs while the platform misbehaves
            #expect(await h.platform.addFault(named: name))
            let report = await Self.runReport(engine, f.store)
            await h.platform.clearFaults()
            // GWOPS_PRINT_REPORTS=1 prints each fault's report (for RELIABILITY.md).
            if ProcessInfo.processInfo.environment["GWOPS_PRINT_REPORTS"] != nil { print("REPORT\t\(name)\t\(report)") }

            // Then the report names the trouble
            let words = Self.expectedWords[name] ?? []
            #expect(words.contains { report.lowercased().contains($0.lowercased()) }, "\(name) → \(report)")
            // And nothing was deleted or changed except by valid data, each change with its event
            let after = try await Snapshot(f.store)
            try await Self.expectOnlyValidChanges(from: before, to: after, platform: h.platform, store: f.store, fault: name)

            // And a sync without the fault converges to the platform
            let healed = try await engine.run(trigger: .cli, requestedBy: Self.actor)
            #expect(healed.outcome == .succeeded, "\(name): \(healed.errors)")
            try await Self.expectConverged(f.store, h.platform, fault: name)
        }
    }

    @Test func aPlatformThatRefusesConnectionsChangesNothing() async throws {
        let f = try await StoreFixture.make(.sqlite)
        defer { f.remove() }
        let port = try await SimulatorHarness.with(deployments: 5) { h in
            _ = try await Self.engine(f.store, h.client()).run(trigger: .cli, requestedBy: Self.actor)
            return h.port
        }
        let before = try await Snapshot(f.store)
        let closed = PlatformClient(baseURL: "http://127.0.0.1:\(port)", apiKey: SimulatorHarness.apiKey, timeout: .seconds(1))
        let report = await Self.runReport(Self.engine(f.store, closed), f.store)
        #expect(report.contains("unreachable"), "\(report)")
        #expect(try await Snapshot(f.store) == before)
    }

    @Test func theCLIListsEveryFaultWithoutAnAPIKey() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (status, out, err) = try await GwopsBinary.run(["platform-sim", "--fault", "list"], binary: GwopsBinary.demo, in: dir)
        #expect(status == 0, "\(err)")
        let names = out.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
        #expect(names == HostileCatalog.all.map(\.name))
    }

    // MARK: Steps

    /// The simulator's client with smaller caps than the defaults (16 MiB of JSON, 64 MiB of
    /// decompressed archive), so the million-entry listing and the 630 MiB bomb are refused
    /// quickly; `ArchiveReaderTests` prove the caps exact.
    static func client(_ h: SimulatorHarness) -> PlatformClient {
        var limits = PlatformClient.Limits()
        limits.jsonBytes = 16 << 20
        limits.archive.maxTotalBytes = 64 << 20
        return PlatformClient(baseURL: h.baseURL, apiKey: SimulatorHarness.apiKey, timeout: .seconds(4), limits: limits)
    }

    static let actor = Principal(user: "campaign", clientAddress: nil)

    static func engine(_ store: any GatewayStore, _ client: any PlatformAPI) -> SyncEngine {
        var options = SyncOptions()
        options.batchSize = 10
        options.existsChunkSize = 10
        options.attempts = 2
        return SyncEngine(store: store, platform: client, options: options, clock: ImmediateClock())
    }

    /// Redeploys, undeploys, drops deployments and deletes artifacts; gives every local artifact
    /// an API key and a subscription.
    static func movePlatformOn(_ platform: SimulatedPlatform, _ store: any GatewayStore) async throws {
        let deployed = await platform.all().filter { $0.deployment?.state == .deployed }.map(\.id)
        for id in deployed[0..<4] { _ = await platform.deploy(id) }
        for id in deployed[4..<6] { _ = await platform.undeploy(id) }
        for id in deployed[6..<8] { _ = await platform.deleteDeployment(id) }
        for id in deployed[8..<10] { _ = await platform.deleteArtifact(id) }
        for (i, summary) in try await store.artifactSummaries().enumerated() {
            try await store.addAPIKey(APIKeyRecord(id: "k\(i)", artifactUUID: summary.uuid, name: "key", createdAt: .now))
            try await store.addSubscription(SubscriptionRecord(id: "s\(i)", artifactUUID: summary.uuid, applicationId: "app", createdAt: .now))
        }
    }

    /// The run's outcome and errors as one line (a failed run's record included).
    static func runReport(_ engine: SyncEngine, _ store: any GatewayStore) async -> String {
        do {
            let run = try await engine.run(trigger: .cli, requestedBy: actor)
            return "\(run.outcome.rawValue): " + run.errors.joined(separator: " | ")
        } catch SyncError.failed(let runId, let reason) {
            let errors = (try? await store.syncRun(id: runId))?.errors ?? []
            return "failed: \(reason) | " + errors.joined(separator: " | ")
        } catch {
            return "threw: \(error)"
        }
    }

    static func expectOnlyValidChanges(
        from before: Snapshot, to after: Snapshot, platform: SimulatedPlatform, store: any GatewayStore, fault: String
    ) async throws {
        #expect(Set(after.rows.keys).isSuperset(of: before.rows.keys), "\(fault): an artifact was deleted")
        #expect(after.dependents == before.dependents, "\(fault): a key or subscription was removed")
        var changed = 0
        for (uuid, row) in after.rows where before.rows[uuid] != row {
            changed += 1
            guard let remote = await platform.artifact(uuid)?.deployment, let old = before.rows[uuid] else {
                // Only a retention may touch an artifact the platform no longer deploys here:
                // undeployed, with its deployment, keys and subscriptions kept.
                let old = before.rows[uuid]
                #expect(row.desiredState == .undeployed && row.deploymentId == old?.deploymentId && row.deployedAt == old?.deployedAt,
                        "\(fault): \(uuid), gone from the platform, changed beyond a retention")
                continue
            }
            #expect(remote.deploymentId == row.deploymentId, "\(fault): \(uuid) took a deployment the platform does not have")
            #expect(remote.deployedAt.millisecondPrecision == row.deployedAt, "\(fault): \(uuid) took a date the platform did not give")
            #expect(row.desiredState == (remote.state == .deployed ? .deployed : .undeployed) || row == old,
                    "\(fault): \(uuid) has a state the platform did not give")
        }
        // Every row change published exactly one event, and no event came without one.
        let events = try await store.events(after: before.headSeq, limit: 10_000)
        #expect(events.count == changed, "\(fault): \(changed) rows changed, \(events.count) events")
        #expect(Set(events.map(\.entityId)).count == events.count, "\(fault): an artifact has two events")
    }

    static func expectConverged(_ store: any GatewayStore, _ platform: SimulatedPlatform, fault: String) async throws {
        let onPlatform = await platform.all().filter { $0.deployment?.state == .deployed }
        let here = try await store.artifactSummaries().filter { $0.desiredState == .deployed }
        // Artifacts the platform deleted wait for an operator (orphan_policy = "review").
        let awaitingDeletion = Set(try await store.reviews(statuses: [.pending], limit: 1_000).map(\.artifactUUID))
        #expect(Set(here.map(\.uuid)).subtracting(awaitingDeletion) == Set(onPlatform.map(\.id)), "\(fault): deployed sets differ after healing")
        #expect(awaitingDeletion.count == 2, "\(fault): \(awaitingDeletion.count) orphans await deletion, not the 2 the platform deleted")
        for a in onPlatform {
            #expect(try await store.artifact(uuid: a.id)?.deploymentId == a.deployment?.deploymentId, "\(fault): \(a.id) not healed")
        }
    }

    /// What an operator reads for each fault (any one of the words, case-insensitive). A fault
    /// that harms nothing (extra fields, a repeated directory, an unrequested deployment) must
    /// leave the run `succeeded`.
    static let expectedWords: [String: [String]] = {
        var words: [String: [String]] = [
            "listing-invalid-json": ["not valid JSON"],
            "listing-not-an-object": ["wrong type at top level"],
            "listing-wrong-types": ["wrong type at .deployments[0]"],
            "listing-missing-fields": ["missing field \"artifactId\""],
            "listing-extra-fields": ["succeeded"],
            "listing-duplicate-ids": ["is listed 2 times"],
            "listing-unknown-kind": ["unknown kind \"GraphQLApi\""],
            "listing-unknown-state": ["unknown state EXPLODED"],
            "listing-future-date": ["more than a day ahead"],
            "listing-not-a-date": ["\"yesterday\", not a date"],
            "listing-million-entries": ["larger than 16 MiB"],
            "listing-empty": ["listed no deployments"],
            "exists-invalid-json": ["not valid JSON; affected orphans are unverified"],
            "exists-fewer": ["not matching the request order"],
            "exists-more": ["not matching the request order"],
            "exists-reordered": ["not matching the request order"],
            "exists-wrong-types": ["wrong type"],
            "exists-duplicate-ids": ["not matching the request order"],
            "archive-not-gzip": ["not a gzip stream"],
            "archive-corrupt-gzip": ["gzip"],
            "archive-truncated-tar": ["truncated"],
            "archive-dotdot-path": ["climbs out of its directory"],
            "archive-absolute-path": ["absolute path"],
            "archive-symlink": ["symbolic link"],
            "archive-hard-link": ["hard link"],
            "archive-device": ["character device"],
            "archive-oversize-entry": ["above the limit of 8388608 bytes"],
            "archive-bomb": ["decompression bomb"],
            "archive-entry-bomb": ["declares 1073741824 bytes, above the limit of 8388608 bytes"],
            "archive-yaml-flood": ["requested deployments' files in the archive exceed 33554432 bytes"],
            "archive-duplicate-directories": ["succeeded"],
            "archive-missing-deployment": ["missing from the archive"],
            "archive-extra-deployment": ["succeeded"],
            "archive-non-utf8-yaml": ["not UTF-8"],
            "archive-empty-file": ["has no metadata.name"],
            "archive-empty": ["missing from the archive"],
        ]
        for endpoint in SimEndpoint.allCases {
            let e = endpoint.rawValue
            for status in HostileCatalog.statuses { words["\(e)-status-\(status)"] = ["answered \(status)"] }
            words["\(e)-connection-reset-mid-body"] = ["connection", "unreachable"]
            words["\(e)-connection-one-byte-per-second"] = ["timed out"]
            words["\(e)-connection-truncated-body"] = ["not valid JSON", "gzip", "truncated"]
            words["\(e)-no-answer"] = ["timed out"]
        }
        return words
    }()
}

/// At most `count` bodies run at once; the others wait their turn.
actor Slots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if free > 0 {
            free -= 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
        defer {
            if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}

/// The store's rows, keys and subscriptions, compared before and after a faulted run.
struct Snapshot: Equatable {
    struct Row: Equatable {
        var deploymentId: String?
        var deployedAt: Timestamp?
        var desiredState: DesiredState
        var contentSHA256: String
    }
    var rows: [String: Row] = [:]
    var dependents: [String: Dependents] = [:]
    var headSeq: Int64 = 0

    init(_ store: any GatewayStore) async throws {
        for summary in try await store.artifactSummaries() {
            guard let a = try await store.artifact(uuid: summary.uuid) else { continue }
            rows[a.uuid] = Row(deploymentId: a.deploymentId, deployedAt: a.deployedAt, desiredState: a.desiredState, contentSHA256: a.contentSHA256)
        }
        dependents = try await store.dependents(of: Array(rows.keys))
        headSeq = try await store.position().headSeq
    }
}
