import Foundation
import Synchronization
import Core

/// Generates realistic deployment YAML (about 1–2 KB) for simulated artifacts.
public enum ContentGenerator {
    static let teams = ["payments", "search", "identity", "catalog", "shipping", "ml-platform", "support", "billing"]
    static let nouns = ["orders", "customers", "invoices", "inventory", "reviews", "accounts", "quotes", "events"]
    static let models = ["gpt-4o", "claude-sonnet", "mistral-large", "llama-3-70b", "gemini-pro"]

    /// Documents already written, by artifact and revision: the platform stores a deployment's
    /// content when it is made and serves it as stored, so serving it again costs no writing.
    private static let stored = Mutex<[String: [UInt8]]>([:])
    private static let storedLimit = 200_000

    /// The deployment YAML's bytes, as the platform stores and serves them.
    static func document(for a: SimArtifact) -> [UInt8] {
        let key = "\(a.id)#\(a.revision)"
        if let known = stored.withLock({ $0[key] }) { return known }
        let bytes = Array(yaml(for: a).utf8)
        stored.withLock { cache in
            if cache.count >= storedLimit { cache.removeAll(keepingCapacity: true) }
            cache[key] = bytes
        }
        return bytes
    }

    /// The deployment YAML, as the platform writes it (yaml.v3, field order of its structs).
    static func yaml(for a: SimArtifact) -> String {
        let n = stableNumber(a.id)
        let team = teams[n % teams.count]
        let metadata: YAMLValue = .map([
            ("name", .str(a.handle)),
            ("labels", .map([("project-id", .str(projectId(n))), ("revision", .str(String(a.revision))), ("team", .str(team))])),
        ])
        var spec: [(String, YAMLValue)] = [("displayName", .str(a.displayName)), ("version", .str(a.version))]
        switch a.kind {
        case .restApi:
            let noun = nouns[n % nouns.count]
            spec += [
                ("context", .str("/\(noun)/\(a.version)")),
                ("vhosts", .map([("main", .str("_gateway_default_"))])),
                ("upstream", .map([
                    ("main", .map([("url", .str("https://\(noun)-\(n % 97).svc.internal:8443"))])),
                    ("sandbox", .map([("url", .str("https://\(noun)-sandbox.svc.internal:8443"))])),
                ])),
                ("operations", .seq(
                    [("GET", ""), ("POST", ""), ("GET", "/{id}"), ("PUT", "/{id}"), ("DELETE", "/{id}"), ("GET", "/{id}/history")].map {
                        .map([
                            ("method", .str($0.0)), ("path", .str("/\(noun)\($0.1)")),
                            ("policies", .seq([policy("rate-limit", [("requestsPerMinute", .int(60 + n % 540))])])),
                        ])
                    })),
            ]
        case .llmProvider:
            spec += [
                ("template", .str(models[n % models.count])),
                ("upstream", .map([
                    ("url", .str("https://llm-\(n % 13).provider.example/v1")),
                    ("auth", .map([("type", .str("api-key")), ("header", .str("Authorization")), ("value", .str("{{ secret \"llm-\(n % 13)\" }}"))])),
                ])),
                ("accessControl", .map([
                    ("mode", .str("deny_all")),
                    ("exceptions", .seq(["/chat/completions", "/completions", "/embeddings", "/models"].map {
                        .map([("path", .str($0)), ("methods", .seq([.str("POST"), .str("GET")]))])
                    })),
                ])),
                ("policies", .seq([
                    policy("token-budget", [("tokensPerMinute", .int(10_000 + n % 90_000))]),
                    policy("prompt-guard", [("blockPII", .bool(true)), ("maxPromptChars", .int(32000))]),
                ])),
            ]
        case .llmProxy:
            spec += [
                ("context", .str("/ai/\(a.handle)")),
                ("provider", .map([("id", .str(a.providerId ?? "unknown"))])),
                ("policies", .seq([
                    policy("semantic-cache", [("ttlSeconds", .int(300 + n % 3300)), ("similarity", .str("0.92"))]),
                    policy("model-router", [
                        ("default", .str(models[n % models.count])),
                        ("fallbacks", .seq([.str(models[(n + 1) % models.count]), .str(models[(n + 2) % models.count])])),
                    ]),
                    policy("rate-limit", [("requestsPerMinute", .int(30 + n % 300))]),
                ])),
            ]
        case .mcp:
            spec += [
                ("context", .str("/mcp/\(a.handle)")),
                ("upstream", .map([("url", .str("https://mcp-\(n % 29).tools.internal/sse"))])),
                ("tools", .seq(["search", "fetch", "summarize", "create_ticket", "lookup_customer"].map { tool in
                    .map([
                        ("name", .str(tool)), ("description", .str("\(tool.replacingOccurrences(of: "_", with: " ")) for \(team)")),
                        ("inputSchema", .map([("type", .str("object")), ("properties", .map([("query", .map([("type", .str("string"))]))]))])),
                    ])
                })),
            ]
        case .webSubApi, .webBrokerApi:
            let noun = nouns[n % nouns.count]
            spec += [
                ("context", .str("/events/\(a.handle)")),
                ("channels", .seq(["created", "updated", "deleted"].map { topic in
                    .map([("name", .str("\(noun).\(topic)")), ("path", .str("/\(noun)/\(topic)"))])
                })),
            ]
        }
        return YAMLV3Writer.document([
            ("apiVersion", .str("gateway.api-platform.wso2.com/v1")), ("kind", .str(a.kind.rawValue)), ("metadata", metadata),
            ("spec", .map(spec)),
        ])
    }

    private static func policy(_ name: String, _ params: [(String, YAMLValue)]) -> YAMLValue {
        .map([("name", .str(name)), ("version", .str("v1")), ("params", .map(params))])
    }

    private static func projectId(_ n: Int) -> String {
        let hex = String(UInt64(n) &* 0x9E37_79B9_7F4A_7C15, radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        return "01972fa7-\(padded.prefix(4))-7\(padded.dropFirst(4).prefix(3))-b\(padded.dropFirst(7).prefix(3))-\(padded.suffix(12))"
    }

    /// Deployment documents of every kind, as the simulator serves them (for tests of readers).
    public static func sampleDocuments(perKind: Int = 3, seed: UInt64 = 7) -> [String] {
        var catalog = SimCatalog(seed: seed)
        for _ in 0..<perKind { _ = catalog.generate(at: nil, kind: .llmProvider) }
        return ArtifactKind.allCases.flatMap { kind in (0..<perKind).map { _ in yaml(for: catalog.generate(at: nil, kind: kind)) } }
    }

    static func stableNumber(_ text: String) -> Int {
        var h: UInt64 = 1_469_598_103_934_665_603
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        return Int(h % 1_000_003)
    }
}
