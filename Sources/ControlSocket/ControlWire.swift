import Core

/// The control socket's request and reply bodies that are not Core values (docs/control-api.md).
enum ControlWire {
    /// Every error reply: one sentence, plus what a busy sync names.
    struct ErrorBody: Codable {
        var error: String
        var holder: String?
        var run: Int64?
    }

    /// `POST /v1/reviews/{id}/decision`.
    struct DecisionRequest: Codable {
        var decision: ReviewDecision
        /// The review as the operator saw it; refused when it changed since.
        var seen: ReviewVersion?
        var force: Bool?
    }

    /// What a decision did.
    struct DecisionReply: Codable {
        /// `deleted`, `rejected`, `retention_confirmed`, `superseded` or `refused`.
        var result: String
        var apiKeys: Int?
        var subscriptions: Int?
        var reason: String?

        init(_ result: DecisionResult) {
            switch result {
            case .deleted(let d): self.result = "deleted"; apiKeys = d.apiKeys; subscriptions = d.subscriptions
            case .rejected: self.result = "rejected"
            case .retentionConfirmed: self.result = "retention_confirmed"
            case .superseded: self.result = "superseded"
            case .refused(let why): self.result = "refused"; reason = why
            }
        }

        var decisionResult: DecisionResult? {
            switch result {
            case "deleted": .deleted(Dependents(apiKeys: apiKeys ?? 0, subscriptions: subscriptions ?? 0))
            case "rejected": .rejected
            case "retention_confirmed": .retentionConfirmed
            case "superseded": .superseded
            case "refused": .refused(reason ?? "refused")
            default: nil
            }
        }
    }

    /// `POST /v1/sync` body (optional): who asked, `console` (default) or `cli`.
    struct SyncRequest: Codable {
        var trigger: SyncTrigger?
    }

    /// `POST /v1/sync` reply.
    struct SyncStarted: Codable {
        var run: Int64
    }

    /// `GET /v1/platform/deployments`: null when the controller has no platform.
    struct ListingReply: Codable {
        var listing: DeploymentListing?
    }

    /// The header a client names its `SSH_CONNECTION` in (recorded as claimed).
    static let sshConnectionHeader = "X-Gwops-SSH-Connection"
    /// Largest request body the server reads (decisions are a few hundred bytes).
    static let maxRequestBody = 64 * 1024
}
