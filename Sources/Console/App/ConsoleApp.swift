import Core

/// The console as a value: state, data, key handling and rendering, no I/O. The runner feeds it
/// keys and data snapshots and carries out the effects it returns.
package struct ConsoleApp: Sendable {
    var state: ConsoleState
    private(set) var data = ConsoleData()
    /// Row indices passing the filter, per view (recomputed when data or filter change).
    private(set) var visible: [ConsoleView: [Int]] = [:]
    var detailContent: String?
    var detailEvents: [HubEvent] = []
    var detailHistory: [OrphanReview] = []
    var detailKeys: [APIKeyRecord] = []
    var detailSubscriptions: [SubscriptionRecord] = []
    var detailScroll = 0

    package init(readonly: Bool, readonlyReason: String? = nil, width: Int = 80, height: Int = 24) {
        state = ConsoleState(readonly: readonly, width: width, height: height)
        if let readonlyReason { state.readonlyReason = readonlyReason }
        recompute()
    }

    /// Takes a new data snapshot, keeping the selection on the same item (not the same position:
    /// rows move as data changes, and an action must apply to what the operator picked) and the
    /// rows around it in place. Except at the top of the events view, which follows the hub: new
    /// events show above, a selection on the newest moves to the newest, any other stays on its
    /// event (and scrolls only once it would leave the screen).
    package mutating func update(_ newData: ConsoleData) {
        let selected = Dictionary(uniqueKeysWithValues: ConsoleView.allCases.compactMap { v in selectedIdentity(v).map { (v, $0) } })
        let sameArtifacts = newData.artifactsVersion == data.artifactsVersion && newData.artifacts.count == data.artifacts.count
        data = newData
        recompute(keepArtifacts: sameArtifacts)
        for (view, identity) in selected where !(view == .artifacts && sameArtifacts) {
            var c = state[cursor: view]
            let followsHub = view == .events && c.offset == 0
            if followsHub && c.selected == 0 { continue }
            guard let rows = visible[view], let index = rows.firstIndex(where: { identity == self.identity(of: $0, in: view) }) else { continue }
            if !followsHub { c.offset += index - c.selected }
            c.selected = index
            c.clamp(count: rows.count, visible: state.tableRows)
            state[cursor: view] = c
        }
    }

    /// What identifies row `i` of `view`'s data across snapshots.
    private func identity(of i: Int, in view: ConsoleView) -> String? {
        switch view {
        case .artifacts: i < data.artifacts.count ? data.artifacts[i].summary.uuid : nil
        case .replicas: i < data.replicas.count ? data.replicas[i].replicaId : nil
        case .orphans: i < data.reviews.count ? String(data.reviews[i].id) : nil
        case .events: i < data.events.count ? String(data.events[i].seq) : nil
        case .sync: nil
        }
    }

    private func selectedIdentity(_ view: ConsoleView) -> String? {
        guard let rows = visible[view], !rows.isEmpty else { return nil }
        let selected = state[cursor: view].selected
        return selected < rows.count ? identity(of: rows[selected], in: view) : nil
    }

    mutating func resize(width: Int, height: Int) {
        state.width = width
        state.height = height
        clampAll()
    }

    /// The data was read again and nothing changed.
    mutating func touch(_ loadedAt: Timestamp) { data.loadedAt = loadedAt }

    /// Recomputes the filtered rows; `keepArtifacts` skips the artifact rows when they did not change.
    mutating func recompute(keepArtifacts: Bool = false) {
        let f = state.filter.lowercased()
        func pass(_ fields: [String]) -> Bool { f.isEmpty || fields.contains { $0.lowercased().contains(f) } }
        if keepArtifacts, visible[.artifacts] != nil {
            // Same rows, same filter: the indices still hold.
        } else if f.isEmpty {
            visible[.artifacts] = Array(data.artifacts.indices)
        } else {
            visible[.artifacts] = data.artifacts.indices.filter { i in
            let r = data.artifacts[i]
            return f.isEmpty || pass([r.summary.handle, r.summary.uuid, r.summary.kind.rawValue, r.summary.kind.label,
                                      StatusBadge.state(r.summary.desiredState).word, StatusBadge.sync(r.sync).word, r.summary.deploymentId ?? ""])
            }
        }
        visible[.replicas] = data.replicas.indices.filter { pass([data.replicas[$0].replicaId, data.replicas[$0].status.rawValue, data.replicas[$0].reason ?? ""]) }
        visible[.orphans] = data.reviews.indices.filter { i in
            let r = data.reviews[i]
            return pass([r.handle, r.artifactUUID, r.kind.rawValue, r.verdict.rawValue, StatusBadge.review(r).word])
        }
        visible[.events] = data.events.indices.filter { i in
            let e = data.events[i]
            return pass([EventsView.entity(e, data.eventArtifacts).text, e.entityId, e.eventId, e.entityType, e.action.rawValue, String(e.seq)])
        }
        visible[.sync] = []
        clampAll()
    }

    private mutating func clampAll() {
        for view in ConsoleView.allCases {
            var c = state[cursor: view]
            c.clamp(count: visible[view]?.count ?? 0, visible: state.tableRows)
            state[cursor: view] = c
        }
    }

    /// The review under the cursor in the orphans view.
    var selectedReview: OrphanReview? {
        guard state.view == .orphans, let rows = visible[.orphans], !rows.isEmpty else { return nil }
        return data.reviews[rows[state[cursor: .orphans].selected]]
    }

    /// The artifact under the cursor in the artifacts view.
    var selectedArtifact: ArtifactRow? {
        guard state.view == .artifacts, let rows = visible[.artifacts], !rows.isEmpty else { return nil }
        return data.artifacts[rows[state[cursor: .artifacts].selected]]
    }

    /// The event under the cursor in the events view.
    var selectedEvent: HubEvent? {
        guard state.view == .events, let rows = visible[.events], !rows.isEmpty else { return nil }
        return data.events[rows[state[cursor: .events].selected]]
    }

    mutating func flash(_ text: String, _ role: ThemeRole = .flash) {
        state.flash = Flash(text: text, role: role)
    }
}
