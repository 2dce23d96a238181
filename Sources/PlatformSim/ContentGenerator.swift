import Foundation
import Core

/// Generates realistic deployment YAML (about 1–2 KB) for simulated artifacts.
enum ContentGenerator {
    static let teams = ["payments", "search", "identity", "catalog", "shipping", "ml-platform", "support", "billing"]
    static let nouns = ["orders", "customers", "invoices", "inventory", "reviews", "accounts", "quotes", "events"]
    static let models = ["gpt-4o", "claude-sonnet", "mistral-large", "llama-3-70b", "gemini-pro"]

    static func yaml(for a: SimArtifact) -> String {
        let n = stableNumber(a.id)
        let team = teams[n % teams.count]
        var lines = [
            "apiVersion: gateway.api-platform.wso2.com/v1alpha1",
            "kind: \(a.kind.rawValue)",
            "metadata:",
            "  name: \(a.handle)",
            "  labels:",
            "    team: \(team)",
            "    revision: \"\(a.revision)\"",
            "spec:",
            "  displayName: \(a.displayName)",
            "  version: \(a.version)",
        ]
        switch a.kind {
        case .restApi:
            let noun = nouns[n % nouns.count]
            lines += ["  context: /\(noun)/\(a.version)", "  upstream:", "    main:",
                      "      url: https://\(noun)-\(n % 97).svc.internal:8443", "    sandbox:",
                      "      url: https://\(noun)-sandbox.svc.internal:8443", "  operations:"]
            for (method, path) in [("GET", ""), ("POST", ""), ("GET", "/{id}"), ("PUT", "/{id}"), ("DELETE", "/{id}"), ("GET", "/{id}/history")] {
                lines += ["    - method: \(method)", "      path: /\(noun)\(path)", "      policies:",
                          "        - name: rate-limit", "          params: { requestsPerMinute: \(60 + n % 540) }"]
            }
        case .llmProvider:
            let model = models[n % models.count]
            lines += ["  template: \(model)", "  upstream:", "    url: https://llm-\(n % 13).provider.example/v1",
                      "    auth:", "      type: api-key", "      header: Authorization", "      valueRef: secret/llm-\(n % 13)",
                      "  accessControl:", "    mode: deny_all", "    exceptions:"]
            for path in ["/chat/completions", "/completions", "/embeddings", "/models"] {
                lines += ["      - path: \(path)", "        methods: [POST, GET]"]
            }
            lines += ["  policies:", "    - name: token-budget", "      params: { tokensPerMinute: \(10_000 + n % 90_000) }",
                      "    - name: prompt-guard", "      params: { blockPII: true, maxPromptChars: 32000 }"]
        case .llmProxy:
            lines += ["  provider:", "    id: \(a.providerId ?? "unknown")", "  context: /ai/\(a.handle)", "  policies:",
                      "    - name: semantic-cache", "      params: { ttlSeconds: \(300 + n % 3300), similarity: 0.92 }",
                      "    - name: model-router", "      params:", "        default: \(models[n % models.count])",
                      "        fallbacks: [\(models[(n + 1) % models.count]), \(models[(n + 2) % models.count])]",
                      "    - name: rate-limit", "      params: { requestsPerMinute: \(30 + n % 300) }"]
        case .mcp:
            lines += ["  context: /mcp/\(a.handle)", "  upstream:", "    url: https://mcp-\(n % 29).tools.internal/sse",
                      "  tools:"]
            for tool in ["search", "fetch", "summarize", "create_ticket", "lookup_customer"] {
                lines += ["    - name: \(tool)", "      description: \(tool.replacingOccurrences(of: "_", with: " ")) for \(team)",
                          "      inputSchema: { type: object, properties: { query: { type: string } } }"]
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func stableNumber(_ text: String) -> Int {
        var h: UInt64 = 1_469_598_103_934_665_603
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        return Int(h % 1_000_003)
    }
}
