/// Failures talking to the platform API, with the endpoint, status and the server's words.
public enum PlatformError: Error, Equatable, CustomStringConvertible {
    /// The platform answered with an error status.
    case http(endpoint: String, status: Int, message: String?, description: String?)
    /// The request did not complete (refused, reset, timed out).
    case transport(endpoint: String, reason: String)
    /// The response was not what the contract says.
    case invalidResponse(endpoint: String, reason: String)
    /// The response body exceeded the cap.
    case tooLarge(endpoint: String, limit: Int)
    /// The deployment archive could not be read.
    case archive(endpoint: String, reason: String)

    public var endpoint: String {
        switch self {
        case .http(let e, _, _, _), .transport(let e, _), .invalidResponse(let e, _), .tooLarge(let e, _), .archive(let e, _): e
        }
    }

    /// HTTP status, when the platform answered with one.
    public var status: Int? {
        if case .http(_, let status, _, _) = self { return status }
        return nil
    }

    /// What the platform said (message and description), when it answered with an error body.
    public var words: String? {
        guard case .http(_, _, let message, let description) = self else { return nil }
        let words = [message, description].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        return words.isEmpty ? nil : words
    }

    /// True for failures that a retry may fix (5xx, 429, transport). 4xx other than 429 are final.
    public var isTransient: Bool {
        switch self {
        case .http(_, let status, _, _): status >= 500 || status == 429 || status == 408
        case .transport, .tooLarge, .invalidResponse, .archive: true
        }
    }

    public var description: String {
        switch self {
        case .http(let endpoint, let status, let message, let description):
            let words = [message, description].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            let hint = status == 401 ? " (check [platform] api_key_file / api_key_env)" : ""
            return "platform \(endpoint) answered \(status)\(words.isEmpty ? "" : " — \(words)")\(hint)"
        case .transport(let endpoint, let reason):
            return "platform \(endpoint) unreachable: \(reason)"
        case .invalidResponse(let endpoint, let reason):
            return "platform \(endpoint) sent an invalid response: \(reason)"
        case .tooLarge(let endpoint, let limit):
            let size = limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"
            return "platform \(endpoint) response is larger than \(size); refused to protect this host's memory"
        case .archive(let endpoint, let reason):
            return "platform \(endpoint) archive rejected: \(reason)"
        }
    }
}
