import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport

/// A response as received, for assertions on what the typed client never exposes.
struct RawResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// Decodes the body as `T`.
    func json<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body))
    }
}

/// The contract's error body.
struct ErrorBody: Decodable, Equatable {
    var code: Int
    var message: String
    var description: String
}

/// Raw HTTP against a running simulator, to send what `PlatformClient` never sends
/// (wrong `Accept`, missing `api-key`, empty lists, bad `since`) and to drive `/sim` admin calls.
struct RawHTTP: Sendable {
    static let apiPrefix = "/api/internal/v1"

    let baseURL: String

    init(_ harness: SimulatorHarness) { baseURL = harness.baseURL }

    /// Sends one request. `apiKey: nil` omits the header.
    func send(
        _ method: HTTPMethod, _ path: String, json: String? = nil,
        apiKey: String? = SimulatorHarness.apiKey, accept: String? = nil
    ) async throws -> RawResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let apiKey { request.headers.add(name: "api-key", value: apiKey) }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        return RawResponse(status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
    }

    func get(_ path: String, apiKey: String? = SimulatorHarness.apiKey) async throws -> RawResponse {
        try await send(.GET, path, apiKey: apiKey)
    }

    func post(_ path: String, json: String, apiKey: String? = SimulatorHarness.apiKey, accept: String? = nil) async throws -> RawResponse {
        try await send(.POST, path, json: json, apiKey: apiKey, accept: accept)
    }

    func delete(_ path: String, apiKey: String? = SimulatorHarness.apiKey) async throws -> RawResponse {
        try await send(.DELETE, path, apiKey: apiKey)
    }

    // MARK: Contract calls

    func listDeployments(query: String = "", apiKey: String? = SimulatorHarness.apiKey) async throws -> RawResponse {
        try await get(Self.apiPrefix + "/deployments" + query, apiKey: apiKey)
    }

    func fetchBatch(
        _ ids: [String], apiKey: String? = SimulatorHarness.apiKey, accept: String? = "application/x-tar+gzip"
    ) async throws -> RawResponse {
        try await send(.POST, Self.apiPrefix + "/deployments/fetch-batch", json: Self.encode(["deploymentIds": ids]), apiKey: apiKey, accept: accept)
    }

    func exists(_ ids: [String], apiKey: String? = SimulatorHarness.apiKey) async throws -> RawResponse {
        try await post(Self.apiPrefix + "/artifacts/exists", json: Self.encode(["artifactIds": ids]), apiKey: apiKey)
    }

    // MARK: Admin calls

    /// Injects a fault with `POST /sim/faults`.
    func addFault(_ fault: [String: Any]) async throws -> RawResponse {
        let data = try JSONSerialization.data(withJSONObject: fault)
        return try await post("/sim/faults", json: String(decoding: data, as: UTF8.self))
    }

    static func encode(_ value: [String: [String]]) -> String {
        String(decoding: try! JSONEncoder().encode(value), as: UTF8.self)
    }
}

/// Wire shapes read back in tests.
enum Wire {
    struct Deployment: Decodable, Equatable {
        var artifactId: String
        var deploymentId: String
        var kind: String
        var state: String
        var deployedAt: String
        var etag: String
    }

    struct Deployments: Decodable { var deployments: [Deployment] }

    struct ExistsEntry: Decodable, Equatable {
        var artifactId: String
        var exists: Bool
    }

    struct ExistsResponse: Decodable { var artifacts: [ExistsEntry] }

    struct StateEntry: Decodable, Equatable {
        var artifactId: String
        var kind: String
        var handle: String
        var hasDeployment: Bool
        var state: String?
        var deploymentId: String?
        var deployedAt: String?
    }

    struct State: Decodable { var artifacts: [StateEntry] }
}
