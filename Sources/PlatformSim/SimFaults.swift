/// The endpoints a fault can target.
public enum SimEndpoint: String, Sendable, Codable, CaseIterable {
    case deployments
    case fetchBatch = "fetch-batch"
    case exists
}

/// A fault to inject into the next `count` requests of an endpoint.
public struct SimFault: Sendable, Codable, Equatable {
    public var endpoint: SimEndpoint
    /// Answer with this status (and an error body) instead of the real response.
    public var status: Int?
    public var count: Int?
    public var delayMs: Int?
    /// Serve an archive whose gzip stream is damaged.
    public var corruptArchive: Bool?
    /// Cut the response body in half.
    public var truncateBody: Bool?
    /// A hostile body or way of sending it (the reliability campaign).
    public var mutation: SimMutation?

    public init(endpoint: SimEndpoint, status: Int? = nil, count: Int? = 1, delayMs: Int? = nil, corruptArchive: Bool? = nil, truncateBody: Bool? = nil,
                mutation: SimMutation? = nil) {
        self.endpoint = endpoint
        self.status = status
        self.count = count
        self.delayMs = delayMs
        self.corruptArchive = corruptArchive
        self.truncateBody = truncateBody
        self.mutation = mutation
    }
}
