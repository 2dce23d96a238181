internal import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
internal import NIOSSL

/// The platform API over HTTP (AsyncHTTPClient): `api-key` on every call, a deadline on every
/// request, capped response sizes, typed errors.
public final class PlatformClient: PlatformAPI {
    /// Size caps for response bodies.
    public struct Limits: Sendable {
        /// About 600,000 listing entries.
        public var jsonBytes = 128 * 1024 * 1024
        public var archiveBytes = 512 * 1024 * 1024
        public var archive = ArchiveLimits.default

        public init() {}
    }

    public let baseURL: String
    let apiKey: String
    let timeout: Duration
    let limits: Limits
    let client: HTTPClient
    let logger: Logger

    /// - Parameters:
    ///   - baseURL: the platform URL; `/api/internal/v1` is appended unless present.
    ///   - connections: connections of the caller's own, which it closes when done; nil shares the
    ///     process-wide ones (never closed).
    public init(
        baseURL: String, apiKey: String, timeout: Duration = .seconds(30), tlsVerify: Bool = true,
        limits: Limits = Limits(), connections: Connections? = nil, logger: Logger = .silent("gwops.platform")
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/api/internal/v1") { base += "/api/internal/v1" }
        self.baseURL = base
        self.apiKey = apiKey
        self.timeout = timeout
        self.limits = limits
        self.logger = logger
        client = connections?.http ?? (tlsVerify ? Self.verifyingClient : Self.insecureClient)
    }

    /// Process-wide clients (like `HTTPClient.shared`, never shut down). A refused connection
    /// fails at once instead of being retried until the request's deadline.
    static let verifyingClient = makeClient(verifyCertificates: true)
    /// Skips certificate checks (`tls_verify = false`).
    static let insecureClient = makeClient(verifyCertificates: false)

    /// Connections to a platform that their owner closes (`shutdown`), rather than the
    /// process-wide ones: the demo closes its own before it stops its in-process simulator, whose
    /// server would otherwise wait for the idle ones to time out.
    public final class Connections: Sendable {
        let http: HTTPClient

        public init(tlsVerify: Bool = true) { http = PlatformClient.makeClient(verifyCertificates: tlsVerify) }

        /// Closes every connection; the clients using these fail afterwards.
        public func shutdown() async {
            try? await http.shutdown()  // fails only when already shut down
        }
    }

    static func makeClient(verifyCertificates: Bool) -> HTTPClient {
        var config = HTTPClient.Configuration()
        if !verifyCertificates {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            config.tlsConfiguration = tls
        }
        config.timeout = .init(connect: .seconds(5), read: .seconds(60))
        config.connectionPool.retryConnectionEstablishment = false
        // The api-key header must never follow a redirect to another host.
        config.redirectConfiguration = .disallow
        config.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    public func listDeployments(since: Timestamp?) async throws -> DeploymentListing {
        var path = "/deployments"
        if let since { path += "?since=" + (since.rfc3339.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
        let endpoint = "GET /deployments"
        let body = try await send(endpoint: endpoint, method: .GET, path: path, body: nil, accept: "application/json", cap: limits.jsonBytes)
        return try Self.decodeListing(body, endpoint: endpoint)
    }

    public func fetchDeployments(_ deploymentIds: [String]) async throws -> [String: [ArchiveFile]] {
        let endpoint = "POST /deployments/fetch-batch"
        let request = try JSONEncoder().encode(PlatformDTO.BatchFetchRequest(deploymentIds: deploymentIds))
        // The archive is read as it arrives; the first entry that breaks a rule ends the exchange.
        return try await exchange(
            endpoint: endpoint, method: .POST, path: "/deployments/fetch-batch", body: request, accept: "application/x-tar+gzip"
        ) { [cap = limits.archiveBytes, limits = limits.archive] body in
            do {
                let stream = try ArchiveStream(limits: limits, requested: Set(deploymentIds))
                var received = 0
                for try await chunk in body {
                    received += chunk.readableBytes
                    guard received <= cap else { throw PlatformError.tooLarge(endpoint: endpoint, limit: cap) }
                    try stream.push(chunk)
                }
                return try stream.finish().files
            } catch let error as ArchiveError {
                throw PlatformError.archive(endpoint: endpoint, reason: error.description)
            }
        }
    }

    public func artifactsExist(_ artifactIds: [String]) async throws -> [String: Bool] {
        let endpoint = "POST /artifacts/exists"
        let request = try JSONEncoder().encode(PlatformDTO.ExistsRequest(artifactIds: artifactIds))
        let body = try await send(
            endpoint: endpoint, method: .POST, path: "/artifacts/exists", body: request, accept: "application/json",
            cap: limits.jsonBytes)
        return try Self.decodeExists(body, asked: artifactIds, endpoint: endpoint)
    }

    public func liveConnectionRefusal() async -> PlatformError? {
        let endpoint = "GET /ws/gateways/connect"
        do {
            _ = try await send(endpoint: endpoint, method: .GET, path: "/ws/gateways/connect", body: nil, accept: "application/json", cap: 64 * 1024)
            return nil
        } catch let error as PlatformError {
            // 400/426: the key was accepted and only the upgrade was missing.
            if let status = error.status, status == 400 || status == 426 { return nil }
            return error
        } catch {
            return .transport(endpoint: endpoint, reason: Self.describe(error))
        }
    }

    /// A deployments listing body as domain types (bad entries reported, not applied).
    public static func decodeListing(_ body: [UInt8], endpoint: String = "GET /deployments", now: Timestamp = .now) throws -> DeploymentListing {
        let response: PlatformDTO.DeploymentsResponse = try decode(body, endpoint: endpoint)
        return response.listing(now: now)
    }

    /// An exists body, which must answer exactly the ids `asked`, in order.
    public static func decodeExists(_ body: [UInt8], asked artifactIds: [String], endpoint: String = "POST /artifacts/exists") throws -> [String: Bool] {
        let response: PlatformDTO.ExistsResponse = try decode(body, endpoint: endpoint)
        guard response.artifacts.map(\.artifactId) == artifactIds else {
            throw PlatformError.invalidResponse(
                endpoint: endpoint,
                reason: "asked about \(artifactIds.count) ids, got \(response.artifacts.count) entries not matching the request order")
        }
        var result: [String: Bool] = [:]
        for entry in response.artifacts { result[entry.artifactId] = entry.exists }
        return result
    }

    func send(
        endpoint: String, method: HTTPMethod, path: String, body: Data?, accept: String, cap: Int
    ) async throws -> [UInt8] {
        try await exchange(endpoint: endpoint, method: method, path: path, body: body, accept: accept) { body in
            do {
                return Array(try await body.collect(upTo: cap).readableBytesView)
            } catch is NIOTooManyBytesError {
                throw PlatformError.tooLarge(endpoint: endpoint, limit: cap)
            }
        }
    }

    /// Sends one request and hands a 2xx answer's body to `read`; any other status is thrown as
    /// ``PlatformError/http(endpoint:status:message:description:)``. One deadline covers the
    /// whole exchange: AsyncHTTPClient's own covers only the head, and a body that stalls must
    /// not hold a sync (and its lease) forever.
    func exchange<T: Sendable>(
        endpoint: String, method: HTTPMethod, path: String, body: Data?, accept: String,
        read: @escaping @Sendable (HTTPClientResponse.Body) async throws -> T
    ) async throws -> T {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "api-key", value: apiKey)
        request.headers.add(name: "Accept", value: accept)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let sending = request
        return try await Self.withDeadline(timeout, endpoint: endpoint) { [client] in
            let response: HTTPClientResponse
            do {
                response = try await client.execute(sending, timeout: .init(self.timeout))
            } catch {
                throw PlatformError.transport(endpoint: endpoint, reason: Self.describe(error))
            }
            do {
                let status = Int(response.status.code)
                guard (200..<300).contains(status) else {
                    let bytes = Data(try await response.body.collect(upTo: 64 * 1024).readableBytesView)
                    let errorBody = try? JSONDecoder().decode(PlatformDTO.ErrorBody.self, from: bytes)
                    throw PlatformError.http(
                        endpoint: endpoint, status: status, message: errorBody?.words.message ?? response.status.reasonPhrase,
                        description: errorBody?.words.detail)
                }
                return try await read(response.body)
            } catch let error as PlatformError {
                throw error
            } catch is NIOTooManyBytesError {
                throw PlatformError.http(
                    endpoint: endpoint, status: Int(response.status.code), message: response.status.reasonPhrase, description: nil)
            } catch {
                throw PlatformError.transport(endpoint: endpoint, reason: "body interrupted: \(Self.describe(error))")
            }
        }
    }

    static func decode<T: Decodable>(_ bytes: [UInt8], endpoint: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw PlatformError.invalidResponse(endpoint: endpoint, reason: JSONProblem.describe(error))
        }
    }

    /// Runs `body`, failing with a transport timeout after `timeout`.
    static func withDeadline<T: Sendable>(
        _ timeout: Duration, endpoint: String, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw PlatformError.transport(endpoint: endpoint, reason: "timed out after \(Format.seconds(timeout.seconds))")
            }
            return value
        }
    }

    /// A short, fixed description of a transport failure. Never the error's own text: some
    /// AsyncHTTPClient errors carry header values, and the api-key is one.
    static func describe(_ error: Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout: return "timed out"
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "connection closed by the platform"
            case .redirectLimitReached, .redirectCycleDetected: return "the platform redirected the request, which is not allowed"
            case .cancelled: return "cancelled"
            // shortDescription never includes header values.
            default: return "HTTP client error: \(e.shortDescription)"
            }
        }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("NXDOMAIN") || text.contains("lookup") { return "host name lookup failed" }
        return "network error (\(type(of: error)))"
    }
}
