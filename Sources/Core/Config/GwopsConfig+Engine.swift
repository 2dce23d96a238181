/// Conversions from configuration to the engine's option types.
extension GwopsConfig {
    public var syncOptions: SyncOptions {
        var options = SyncOptions()
        options.batchSize = controller.sync.batchSize
        options.fetchConcurrency = controller.sync.fetchConcurrency
        options.existsChunkSize = controller.sync.existsChunkSize
        options.orphanPolicy = controller.sync.orphanPolicy
        return options
    }

    public var lagThresholds: LagThresholds {
        var t = LagThresholds()
        t.heartbeatTimeout = lag.heartbeatTimeout
        t.window = lag.window
        t.warnEvents = Int64(lag.warnEvents)
        t.warnTimeLag = lag.warnSeconds
        t.retention = eventHub.retention
        return t
    }

    /// The SQLite file, defaulted.
    public var sqlitePath: String { store.path ?? Store.defaultSQLitePath }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration in whole microseconds (what the stores keep times in).
    var microseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }
}
