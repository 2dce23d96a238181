import Logging

/// Loads the API keys and subscriptions the platform holds for this gateway's artifacts, as a
/// gateway does when it connects (the real gateway's bulk sync): the keys of each kind, then the
/// subscriptions of each deployed REST API. Afterwards the live path keeps them current. This is
/// what makes "KEYS / SUBS at stake" in the orphan views true.
///
/// A listing that fails changes nothing stored: only a successful listing replaces what it covers.
public struct CredentialLoad: Sendable {
    let store: any GatewayStore
    let platform: any PlatformCredentialsAPI
    let concurrency: Int
    let logger: Logger

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

    public init(store: any GatewayStore, platform: any PlatformCredentialsAPI, concurrency: Int = 4, logger: Logger = .silent("gwops.credentials")) {
        self.store = store
        self.platform = platform
        self.concurrency = max(1, concurrency)
        self.logger = logger
    }

    public func run() async throws -> Report {
        let local = try await store.artifactSummaries().filter { $0.origin == .controlPlane }
        var report = Report()
        for kind in ArtifactKind.allCases where kind.apiKeysPath != nil {
            do {
                // Only active keys, as a gateway honours them (the listing has revoked ones too).
                let keys = try await platform.apiKeys(of: kind).filter { $0.status.lowercased() == "active" }
                try await store.replaceAPIKeys(keys, ofArtifacts: local.filter { $0.kind == kind }.map(\.uuid))
                report.apiKeys += keys.count
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
                        let subscriptions = try await platform.subscriptions(apiId: id)
                        try await store.replaceSubscriptions(subscriptions, ofArtifact: id)
                        return .success(subscriptions.count)
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
