/// The kinds of artifact a gateway deploys.
public enum ArtifactKind: String, CaseIterable, Sendable, Codable, Hashable {
    case restApi = "RestApi"
    case llmProvider = "LlmProvider"
    case llmProxy = "LlmProxy"
    case mcp = "Mcp"
    /// Event-gateway kinds (the platform's event-gateway plugin).
    case webSubApi = "WebSubApi"
    case webBrokerApi = "WebBrokerApi"

    /// Order in which a sync fetches and applies kinds: dependencies first.
    public static let fetchOrder: [ArtifactKind] = [.llmProvider, .llmProxy, .restApi, .webSubApi, .webBrokerApi, .mcp]
    /// Order in which a sync deletes kinds: dependents first.
    public static let deletionOrder: [ArtifactKind] = fetchOrder.reversed()
    /// Order in which the platform lists deployments.
    public static let listingOrder: [ArtifactKind] = [.restApi, .llmProvider, .llmProxy, .mcp, .webSubApi, .webBrokerApi]

    /// File-name prefix inside a deployment archive: `{prefix}-{artifactId}.yaml`.
    public var archivePrefix: String {
        switch self {
        case .restApi, .webSubApi, .webBrokerApi: "api"
        case .llmProvider: "llm-provider"
        case .llmProxy: "llm-proxy"
        case .mcp: "mcp-proxy"
        }
    }

    /// The live-path resource type: the prefix of its event types and the `resourceType` of
    /// its `deployment.ack` (`api`, `llmprovider`, `llmproxy`, `mcpproxy`, `websub`, `webbroker`).
    public var resourceType: String {
        switch self {
        case .restApi: "api"
        case .llmProvider: "llmprovider"
        case .llmProxy: "llmproxy"
        case .mcp: "mcpproxy"
        case .webSubApi: "websub"
        case .webBrokerApi: "webbroker"
        }
    }

    /// The payload field naming the artifact in its live events.
    public var eventIdField: String {
        switch self {
        case .restApi, .webSubApi, .webBrokerApi: "apiId"
        case .llmProvider: "providerId"
        case .llmProxy, .mcp: "proxyId"
        }
    }

    /// The kind whose live events carry `resourceType` (`api.deployed` → RestApi).
    public init?(resourceType: String) {
        guard let kind = Self.allCases.first(where: { $0.resourceType == resourceType }) else { return nil }
        self = kind
    }

    /// A short label for tables.
    public var label: String {
        switch self {
        case .restApi: "REST"
        case .llmProvider: "LLM-PROV"
        case .llmProxy: "LLM-PROXY"
        case .mcp: "MCP"
        case .webSubApi: "WEBSUB"
        case .webBrokerApi: "WEBBROKER"
        }
    }
}

/// What the platform wants for an artifact on this gateway.
public enum DesiredState: String, Sendable, Codable, Hashable {
    case deployed
    case undeployed
}

/// Where an artifact came from; only `controlPlane` artifacts take part in sync.
public enum Origin: String, Sendable, Codable, Hashable {
    case controlPlane = "control_plane"
    case gatewayAPI = "gateway_api"
}
