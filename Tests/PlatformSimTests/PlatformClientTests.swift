import Foundation
import PlatformSim
import TestSupport
import Testing

@testable import Core

/// Core's `PlatformClient` against the simulator: conversion to domain types and typed errors.
struct PlatformClientTests {
    /// Runs `body` with a client for the harness (the client shares the process-wide HTTP client).
    func withClient<T: Sendable>(
        _ h: SimulatorHarness, apiKey: String = SimulatorHarness.apiKey, timeout: Duration = .seconds(10),
        _ body: (PlatformClient) async throws -> T
    ) async throws -> T {
        try await body(h.client(apiKey: apiKey, timeout: timeout))
    }

    /// The `PlatformError` a call throws, or nil when it throws nothing or something else.
    func platformError(_ call: () async throws -> Void) async -> PlatformError? {
        do {
            try await call()
            return nil
        } catch {
            return error as? PlatformError
        }
    }

    // MARK: - Successful calls

    @Test func listingConvertsToRemoteDeploymentsInListingOrder() async throws {
        try await SimulatorHarness.with(deployments: 80) { h in
            // Given the platform's own view of its deployments
            let expected = await h.platform.listing(since: nil).map { a, d in
                RemoteDeployment(
                    artifactId: a.id, deploymentId: d.deploymentId, kind: a.kind, state: d.state,
                    deployedAt: d.deployedAt, etag: d.etag)
            }

            // When the client lists them
            let listing = try await withClient(h) { try await $0.listDeployments(since: nil) }

            // Then it gets the same deployments as domain values, nothing unreadable
            #expect(listing.deployments == expected)
            #expect(listing.unreadable.isEmpty)
            #expect(Set(listing.deployments.map(\.state)) == [.deployed, .undeployed])
        }
    }

    @Test func listingSinceIsSentAndHonoured() async throws {
        try await SimulatorHarness.with(deployments: 60) { h in
            let all = await h.platform.listing(since: nil)
            let cutoff = all.map { $0.1.deployedAt }.sorted()[40]
            // The platform lists what was performed strictly after `since`
            let expected = Set(all.filter { $0.1.deployedAt > cutoff }.map { $0.0.id })

            let listing = try await withClient(h) { try await $0.listDeployments(since: cutoff) }

            #expect(Set(listing.deployments.map(\.artifactId)) == expected)
            #expect(listing.deployments.count == 19)
        }
    }

    @Test func fetchReturnsFilesByDeploymentIdAndOmitsUnknownIds() async throws {
        try await SimulatorHarness.with(deployments: 40) { h in
            // Given three deployments and an id the platform does not know
            let picked = Array(await h.platform.all().prefix(3))
            let ids = picked.compactMap { $0.deployment?.deploymentId }

            // When they are fetched
            let files = try await withClient(h) { try await $0.fetchDeployments(ids + ["dep-unknown"]) }

            // Then each known deployment has its one file, named and headed for its artifact
            #expect(Set(files.keys) == Set(ids))
            for artifact in picked {
                let file = try #require(files[artifact.deployment!.deploymentId]?.first)
                #expect(file.fileName == "\(artifact.kind.archivePrefix)-\(artifact.id).yaml")
                #expect(YAMLMetadata(yaml: String(decoding: file.content, as: UTF8.self)).handle == artifact.handle)
            }
        }
    }

    @Test func existsAnswersEveryId() async throws {
        try await SimulatorHarness.with(deployments: 10) { h in
            let known = await h.platform.all().map(\.id)
            _ = await h.platform.deleteArtifact(known[1])

            let answer = try await withClient(h) { try await $0.artifactsExist([known[0], known[1], "nope", known[2]]) }

            #expect(answer == [known[0]: true, known[1]: false, "nope": false, known[2]: true])
        }
    }

    // MARK: - HTTP errors

    @Test func unauthorizedIsAnHTTPErrorThatNamesTheStatusButNotTheKey() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            // Given a client with the wrong api-key
            let wrongKey = "sk-live-wrong-7c1e90"

            // When it lists deployments
            let error = await platformError {
                _ = try await withClient(h, apiKey: wrongKey) { try await $0.listDeployments(since: nil) }
            }

            // Then it gets a final 401 with the server's words and no key in the text
            #expect(error == .http(
                endpoint: "GET /deployments", status: 401, message: "Unauthorized",
                description: "missing or invalid api-key header"))
            #expect(error?.isTransient == false)
            let text = error.map { "\($0)" } ?? ""
            #expect(text.contains("401"))
            #expect(text.contains("missing or invalid api-key header"))
            #expect(!text.contains(wrongKey))
            #expect(!text.contains(SimulatorHarness.apiKey))
            #expect(!String(reflecting: error as Any).contains(wrongKey))
        }
    }

    @Test func unauthorizedOnEveryCall() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            try await withClient(h, apiKey: "wrong") { client in
                let fetch = await platformError { _ = try await client.fetchDeployments(ids) }
                let exists = await platformError { _ = try await client.artifactsExist(["a"]) }
                #expect(fetch?.status == 401)
                #expect(fetch?.endpoint == "POST /deployments/fetch-batch")
                #expect(exists?.status == 401)
                #expect(exists?.endpoint == "POST /artifacts/exists")
            }
        }
    }

    @Test(arguments: SimEndpoint.allCases)
    func serverErrorIsATransientHTTPError(endpoint: SimEndpoint) async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            // Given a 500 fault on the endpoint
            await h.platform.addFault(SimFault(endpoint: endpoint, status: 500))
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }

            try await withClient(h) { client in
                // When the client calls it twice
                let call: @Sendable () async throws -> Void = {
                    switch endpoint {
                    case .deployments: _ = try await client.listDeployments(since: nil)
                    case .fetchBatch: _ = try await client.fetchDeployments(ids)
                    case .exists: _ = try await client.artifactsExist(["a"])
                    }
                }
                let error = await platformError(call)

                // Then the first is a transient 500 carrying the server's words, the second succeeds
                #expect(error?.status == 500)
                #expect(error?.isTransient == true)
                #expect(error.map { "\($0)" }?.contains("simulated 500") == true)
                try await call()
            }
        }
    }

    // MARK: - Malformed responses

    @Test func truncatedListingIsAnInvalidResponse() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            await h.platform.addFault(SimFault(endpoint: .deployments, truncateBody: true))
            let error = await platformError { _ = try await withClient(h) { try await $0.listDeployments(since: nil) } }
            guard case .invalidResponse(let endpoint, _) = error else {
                Issue.record("expected .invalidResponse, got \(String(describing: error))")
                return
            }
            #expect(endpoint == "GET /deployments")
        }
    }

    @Test func truncatedExistsIsAnInvalidResponse() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            let ids = await h.platform.all().map(\.id)
            await h.platform.addFault(SimFault(endpoint: .exists, truncateBody: true))
            let error = await platformError { _ = try await withClient(h) { try await $0.artifactsExist(ids) } }
            guard case .invalidResponse(let endpoint, _) = error else {
                Issue.record("expected .invalidResponse, got \(String(describing: error))")
                return
            }
            #expect(endpoint == "POST /artifacts/exists")
        }
    }

    @Test func corruptArchiveIsAnArchiveError() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            await h.platform.addFault(SimFault(endpoint: .fetchBatch, corruptArchive: true))
            let error = await platformError { _ = try await withClient(h) { try await $0.fetchDeployments(ids) } }
            guard case .archive(let endpoint, let reason) = error else {
                Issue.record("expected .archive, got \(String(describing: error))")
                return
            }
            #expect(endpoint == "POST /deployments/fetch-batch")
            #expect(reason.contains("gzip"))
        }
    }

    @Test func truncatedArchiveIsAnArchiveError() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            await h.platform.addFault(SimFault(endpoint: .fetchBatch, truncateBody: true))
            let error = await platformError { _ = try await withClient(h) { try await $0.fetchDeployments(ids) } }
            guard case .archive = error else {
                Issue.record("expected .archive, got \(String(describing: error))")
                return
            }
        }
    }

    // MARK: - Transport

    @Test func refusedConnectionIsATransportError() async throws {
        // Given a loopback port that is bound but not listening, so connections are refused
        let port = try ClosedPort()
        defer { port.close() }
        let client = PlatformClient(baseURL: "http://127.0.0.1:\(port.number)", apiKey: SimulatorHarness.apiKey, timeout: .seconds(2))

        // When the client lists deployments
        let error = await platformError { _ = try await client.listDeployments(since: nil) }

        // Then it is a transient transport error that says the connection was refused
        guard case .transport(let endpoint, let reason) = error else {
            Issue.record("expected .transport, got \(String(describing: error))")
            return
        }
        #expect(endpoint == "GET /deployments")
        #expect(reason == "connection refused")
        #expect(error?.isTransient == true)
    }

    @Test func responseSlowerThanTheTimeoutIsATransportTimeout() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            // Given a listing delayed well past the client's timeout
            await h.platform.addFault(SimFault(endpoint: .deployments, delayMs: 8_000))
            let clock = ContinuousClock()
            let start = clock.now

            // When the client lists with a 500 ms timeout
            let error = await platformError {
                _ = try await withClient(h, timeout: .milliseconds(500)) { try await $0.listDeployments(since: nil) }
            }

            // Then it gives up at its deadline, long before the reply, with a transport error that
            // says it timed out (the bound leaves a loaded machine seconds of slack)
            #expect(clock.now - start < .seconds(6))
            guard case .transport(_, let reason) = error else {
                Issue.record("expected .transport, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("timed out"))
            #expect(error?.isTransient == true)
        }
    }
}

/// A loopback TCP port bound without listening: connecting to it is refused, and nothing else
/// can take the port while the socket is held.
struct ClosedPort {
    let descriptor: Int32
    let number: Int

    struct Failure: Error { var step: String }

    init() throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(step: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { _ = Glibc.close(fd); throw Failure(step: "bind") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { _ = Glibc.close(fd); throw Failure(step: "getsockname") }
        descriptor = fd
        number = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
