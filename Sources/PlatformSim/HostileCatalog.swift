/// A named way for the platform to misbehave, for the reliability campaign: switched on with
/// `SimulatedPlatform.addFault(named:)`, `POST /sim/faults {"name": …}` or
/// `gwops-demo platform-sim --fault NAME`. It lasts until the faults are cleared.
public struct HostileFault: Sendable, Equatable {
    public var name: String
    /// What the platform does, in a few words.
    public var summary: String
    public var fault: SimFault
}

/// Every named fault: each error status on each endpoint, hostile bodies and archives, and
/// connections that drop, stall or never answer.
public enum HostileCatalog {
    /// The statuses tried on every endpoint.
    public static let statuses = [400, 401, 403, 404, 406, 408, 409, 413, 429, 500, 502, 503, 504]
    /// A fault meant to last: every request of the run meets it, retries included.
    static let lasting = 1_000_000

    public static let all: [HostileFault] = statusFaults + bodyFaults + connectionFaults + timeouts

    public static func named(_ name: String) -> HostileFault? {
        all.first { $0.name == name }
    }

    static let statusFaults: [HostileFault] = SimEndpoint.allCases.flatMap { endpoint in
        statuses.map { status in
            HostileFault(
                name: "\(endpoint.rawValue)-status-\(status)", summary: "\(endpoint.rawValue) answers HTTP \(status)",
                fault: SimFault(endpoint: endpoint, status: status, count: lasting))
        }
    }

    static let bodyFaults: [HostileFault] = SimMutation.allCases.filter { !$0.isConnection }.map { mutation in
        let endpoint: SimEndpoint =
            mutation.rawValue.hasPrefix("listing-") ? .deployments : mutation.rawValue.hasPrefix("exists-") ? .exists : .fetchBatch
        return HostileFault(
            name: mutation.rawValue, summary: summaries[mutation] ?? mutation.rawValue,
            fault: SimFault(endpoint: endpoint, count: lasting, mutation: mutation))
    }

    static let connectionFaults: [HostileFault] = SimEndpoint.allCases.flatMap { endpoint in
        SimMutation.allCases.filter(\.isConnection).map { mutation in
            HostileFault(
                name: "\(endpoint.rawValue)-\(mutation.rawValue)", summary: "\(endpoint.rawValue): \(summaries[mutation] ?? mutation.rawValue)",
                fault: SimFault(endpoint: endpoint, count: lasting, mutation: mutation))
        }
    }

    static let timeouts: [HostileFault] = SimEndpoint.allCases.map { endpoint in
        HostileFault(
            name: "\(endpoint.rawValue)-no-answer", summary: "\(endpoint.rawValue) accepts the request and never answers (2 minutes)",
            fault: SimFault(endpoint: endpoint, count: lasting, delayMs: 120_000))
    }

    static let summaries: [SimMutation: String] = [
        .listingInvalidJSON: "the deployments listing is not valid JSON",
        .listingNotAnObject: "the deployments listing is a JSON array, not an object",
        .listingWrongTypes: "entries have a number for deployedAt and state",
        .listingMissingFields: "entries lack artifactId, deploymentId, kind, state or deployedAt",
        .listingExtraFields: "entries carry fields the contract does not name",
        .listingDuplicateIds: "one artifact is listed twice with different deployments",
        .listingUnknownKind: "an entry has kind GraphQLApi",
        .listingUnknownState: "an entry has state EXPLODED",
        .listingFutureDate: "an entry was deployed in 2999",
        .listingNotADate: "an entry's deployedAt is \"yesterday\"",
        .listingMillionEntries: "the listing has over 1,000,000 entries",
        .listingEmpty: "the listing is empty while the gateway has artifacts",
        .existsInvalidJSON: "the exists answer is not valid JSON",
        .existsFewer: "the exists answer leaves out an id it was asked about",
        .existsMore: "the exists answer adds an id it was not asked about",
        .existsReordered: "the exists answer comes in reverse order",
        .existsWrongTypes: "exists is the string \"no\", not a boolean",
        .existsDuplicateIds: "the exists answer gives one id twice, with both answers",
        .archiveNotGzip: "the archive is a plain tar, not gzip",
        .archiveCorruptGzip: "the gzip stream is damaged",
        .archiveTruncatedTar: "the tar ends in the middle of an entry",
        .archiveDotDotPath: "an entry's path climbs out with ..",
        .archiveAbsolutePath: "an entry's path is absolute",
        .archiveSymlink: "a deployment's YAML is a symlink to /etc/passwd",
        .archiveHardLink: "a deployment's YAML is a hard link to /etc/shadow",
        .archiveDevice: "a deployment's YAML is a character device",
        .archiveOversizeEntry: "a deployment's YAML is 9 MiB, past the 8 MiB entry cap",
        .archiveBomb: "1 MiB of gzip inflates to 630 MiB: 90 entries of 7 MiB, each under the entry cap (a decompression bomb)",
        .archiveEntryBomb: "about 4.5 MiB of gzip holds one 1 GiB entry of zeros (a decompression bomb past the entry cap)",
        .archiveYAMLFlood: "a requested deployment's directory holds 40 more YAML files of 1 MiB each",
        .archiveDuplicateDirectories: "a deployment's directory appears twice",
        .archiveMissingDeployment: "a requested deployment is missing from the archive",
        .archiveExtraDeployment: "the archive holds a deployment nobody asked for",
        .archiveNonUTF8YAML: "a deployment's YAML is not UTF-8",
        .archiveEmptyFile: "a deployment's YAML is empty",
        .archiveEmpty: "the archive holds no entries at all",
        .connectionResetMidBody: "the connection drops half-way through the body",
        .connectionOneBytePerSecond: "the body comes one byte a second",
        .connectionTruncatedBody: "the body is cut in half",
    ]
}

extension SimulatedPlatform {
    /// Switches on a catalog fault; false when there is none by that name. A fault whose body
    /// takes seconds to build (the bomb, the million-entry listing) is built first, so the first
    /// request meets the fault rather than a slow server.
    @discardableResult
    public func addFault(named name: String) async -> Bool {
        guard let hostile = HostileCatalog.named(name) else { return false }
        if let mutation = hostile.fault.mutation {
            _ = try? await PlatformSimulator.offPool { try SimMutator.prepare(mutation) }
        }
        addFault(hostile.fault)
        return true
    }
}
