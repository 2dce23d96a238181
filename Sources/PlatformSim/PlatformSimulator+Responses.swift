import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Authorization, fault injection and response building shared by the simulator's endpoints.
extension PlatformSimulator {
    /// Runs CPU-heavy work (a hostile archive or listing: the bomb takes seconds to build) on a
    /// Dispatch thread rather than on Swift's cooperative pool, which a test process shares with
    /// everything else it runs.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    func authorize(_ request: Request) throws {
        guard request.headers[HTTPField.Name("api-key")!] == apiKey else {
            throw SimError(status: .unauthorized, message: "Unauthorized", description: "missing or invalid api-key header")
        }
    }

    /// The platform middleware's error body (`apperror/write.go`), used before the WebSocket upgrade.
    static func middlewareError(_ status: HTTPResponse.Status, code: String, _ message: String) throws -> Response {
        let body = try JSONSerialization.data(withJSONObject: ["status": "error", "code": code, "message": message], options: [.sortedKeys])
        return Response(status: status, headers: jsonHeaders, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Sleeps for a delay fault; returns the error response of a status fault.
    func apply(_ fault: SimFault?) async throws -> Response? {
        guard let fault else { return nil }
        if let delay = fault.delayMs, delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        if let status = fault.status {
            return try Self.json(
                SimWire.ErrorBody(code: status, message: "Injected fault", description: "simulated \(status) on \(fault.endpoint.rawValue)"),
                status: HTTPResponse.Status(code: status))
        }
        return nil
    }

    /// Builds a response; a `truncateBody` fault cuts the body in half; connection mutations
    /// drop the connection half-way or send one byte a second.
    static func respond(_ bytes: [UInt8], headers: HTTPFields, status: HTTPResponse.Status = .ok, fault: SimFault?) -> Response {
        switch fault?.mutation {
        case .connectionResetMidBody?:
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: bytes.count) { writer in
                try await writer.write(ByteBuffer(bytes: bytes.prefix(bytes.count / 2)))
                throw SimError(status: .internalServerError, message: "reset", description: "connection dropped mid-body")
            })
        case .connectionOneBytePerSecond?:
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: bytes.count) { writer in
                for byte in bytes {
                    try await writer.write(ByteBuffer(bytes: [byte]))
                    try await Task.sleep(for: .seconds(1))
                }
                try await writer.finish(nil)
            })
        default:
            let truncate = fault?.truncateBody == true || fault?.mutation == .connectionTruncatedBody
            let body = truncate ? Array(bytes.prefix(bytes.count / 2)) : bytes
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    static var jsonHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return headers
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, fault: SimFault? = nil) throws -> Response {
        respond(Array(try JSONEncoder().encode(value)), headers: jsonHeaders, status: status, fault: fault)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: BasicRequestContext) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024 * 1024)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw SimError(status: .badRequest, message: "Bad Request", description: "request body is not valid JSON for this call")
        }
    }
}
