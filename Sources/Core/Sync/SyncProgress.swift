/// Counters and errors of a running sync, written to `sync_runs` as they change so every console
/// sees the run live.
actor SyncProgress {
    static let maxErrors = 200

    let runId: Int64
    let store: any SyncRunLog
    private(set) var phase: SyncPhase = .listing
    private(set) var counters = SyncCounters()
    private(set) var errors: [String] = []

    init(runId: Int64, store: any SyncRunLog) {
        self.runId = runId
        self.store = store
    }

    func update(_ change: (inout SyncCounters) -> Void) {
        change(&counters)
    }

    /// Records an operator-readable error line and counts it.
    func error(_ message: String) {
        counters.errors += 1
        if errors.count < Self.maxErrors { errors.append(message) }
    }

    /// Records a report line that is not a failure (drift, skipped entries).
    func note(_ message: String) {
        if errors.count < Self.maxErrors { errors.append(message) }
    }

    func enter(_ phase: SyncPhase) async {
        self.phase = phase
        await flush()
    }

    func flush() async {
        // Progress is advisory: a failed write here must not fail the sync.
        try? await store.updateSyncRun(id: runId, phase: phase, counters: counters, errors: errors)
    }

    func snapshot() -> (SyncCounters, [String]) { (counters, errors) }
}
