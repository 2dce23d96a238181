import Logging

/// Loads the API keys and subscriptions the platform holds for this gateway's artifacts, as a
/// gateway does when it connects (the real gateway's bulk sync): the keys of each kind, then the
/// subscriptions of each deployed REST API. Afterwards the live path keeps them current. This is
/// what makes "KEYS / SUBS at stake" in the orphan views true.
///
/// A listing that fails changes nothing stored: only a successful listing replaces what it covers.
/// A listing during which the live path changed keys or subscriptions is fetched again (the
/// ``CredentialGate`` shared with the live path), so it never writes over a newer change.
public struct CredentialLoad: Sendable {
    let store: any GatewayStore
    let platform: any PlatformCredentialsAPI
    let concurrency: Int
    let gate: CredentialGate
    let logger: Logger
    /// How many times a listing is fetched while live changes keep landing during it.
    static let listingAttempts = 3

    /// What one load did.
    public struct Report: Sendable, Equatable, Encodable {
        public var apiKeys = 0
        public var subscriptions = 0
        /// REST APIs whose subscriptions were listed.
        public var apis = 0
        /// Listings that failed, in words (the first 20); what they cover was left as stored.
        public var failures: [String] = []
        public var failed = 0

        mutating func failed(_ error: PlatformError) {
            failed += 1
            if failures.count < 20 { failures.append(error.description) }
        }
    }

    public init(
        store: any GatewayStore, platform: any PlatformCredentialsAPI, concurrency: Int = 4, gate: CredentialGate = CredentialGate(),
        logger: Logger = .silent("gwops.credentials")
    ) {
        self.store = store
        self.platform = platform
        self.concurrency = max(1, concurrency)
        self.gate = gate
        self.logger = logger
    }

    /// Fetches a listing and writes it, again while the live path changed credentials meanwhile.
    /// Returns the listing written, or nil when live changes kept landing (what is stored, which
    /// has them, stays).
    private func load<T: Sendable>(_ what: String, fetch: () async throws -> [T], write: ([T]) async throws -> Void) async throws -> [T]? {
        for _ in 0..<Self.listingAttempts {
            let mark = gate.mark()
            let listing = try await fetch()
            if try await gate.write(since: mark, { try await write(listing) }) { return listing }
        }
        logger.info("\(what) changed by live events during \(Self.listingAttempts) listings; kept as stored")
        return nil
    }

    public func run() async throws -> Report {
        let local = try await store.artifactSummaries().filter { $0.origin == .controlPlane }
        var report = Report()
        for kind in ArtifactKind.allCases where kind.apiKeysPath != nil {
            do {
                // Only active keys, as a gateway honours them (the listing has revoked ones too).
                let covered = local.filter { $0.kind == kind }.map(\.uuid)
                let keys = try await load(
                    "API keys of \(kind.rawValue)", fetch: { try await platform.apiKeys(of: kind).filter { $0.status.lowercased() == "active" } },
                    write: { try await store.replaceAPIKeys($0, ofArtifacts: covered) })
                report.apiKeys += keys?.count ?? 0
            } catch let error as PlatformError {
                report.failed(error)
            }
        }
        // The platform lists subscriptions only for APIs deployed on this gateway (403 otherwise).
        let apis = local.filter { $0.kind == .restApi && $0.desiredState == .deployed }.map(\.uuid)
        report.apis = apis.count
        try await withThrowingTaskGroup(of: Result<Int, PlatformError>.self) { group in
            var next = apis.makeIterator()
            func start() {
                guard let id = next.next() else { return }
                group.addTask { [store, platform] in
                    do {
                        let subscriptions = try await load(
                            "subscriptions of \(id)", fetch: { try await platform.subscriptions(apiId: id) },
                            write: { try await store.replaceSubscriptions($0, ofArtifact: id) })
                        return .success(subscriptions?.count ?? 0)
                    } catch let error as PlatformError {
                        return .failure(error)
                    }
                }
            }
            for _ in 0..<concurrency { start() }
            while let result = try await group.next() {
                switch result {
                case .success(let n): report.subscriptions += n
                // 403/404: the platform no longer has it here (undeployed or deleted since the
                // sync): what is stored stays visible until the orphan is decided.
                case .failure(let error) where error.status == 403 || error.status == 404: break
                case .failure(let error): report.failed(error)
                }
                start()
            }
        }
        if report.failed == 0 {
            logger.info("API keys and subscriptions loaded", metadata: ["keys": "\(report.apiKeys)", "subscriptions": "\(report.subscriptions)"])
        } else {
            logger.warning(
                "API keys and subscriptions partly loaded",
                metadata: ["failures": "\(report.failed)", "first": "\(report.failures[0])"])
        }
        return report
    }
}
