/// The sections of the controller's socket and metrics: who reaches the controller, and how.
extension GwopsConfig {
    /// `[control]`: the controller's control socket (DESIGN §9).
    public struct Control: Sendable, Equatable {
        /// `socket`; nil means `/run/gwops/<gateway id>.sock`.
        public var socket: String?
        /// `enabled` (default true): whether the controller serves it and clients look for it.
        public var enabled: Bool
        /// `max_connections_per_user` (default 32, room for a few consoles and a fleet view):
        /// connections one account (root excepted) may hold at once.
        public var maxConnectionsPerUser: Int

        public static let maxConnectionsPerUserRange = 1...1024

        public init(socket: String? = nil, enabled: Bool = true, maxConnectionsPerUser: Int = 32) {
            self.socket = socket
            self.enabled = enabled
            self.maxConnectionsPerUser = maxConnectionsPerUser
        }
    }

    /// `[access]`: the Unix groups whose members watch (`viewers`) and act (`operators`) through
    /// the control socket. Root and the controller's own account always act.
    public struct Access: Sendable, Equatable {
        public var viewers: [String]
        public var operators: [String]

        public init(viewers: [String] = ["gwops-view"], operators: [String] = ["gwops-ops"]) {
            self.viewers = viewers
            self.operators = operators
        }
    }

    /// `[metrics]`: the controller's Prometheus endpoint.
    public struct Metrics: Sendable, Equatable {
        /// `listen = "127.0.0.1:9464"`: where `GET /metrics` is served; nil (absent) serves none.
        public var host: String?
        public var port: Int

        public init(host: String? = nil, port: Int = 9464) {
            self.host = host
            self.port = port
        }
    }
}
