/// One row of `audit_log`.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Timestamp
    public var actor: Principal
    public var action: String
    public var target: String
    public var outcome: String
    public var detail: String?

    public init(id: Int64, at: Timestamp, actor: Principal, action: String, target: String, outcome: String, detail: String?) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.detail = detail
    }
}
