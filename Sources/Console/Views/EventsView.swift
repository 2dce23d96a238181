import Core

/// `events`: the tail of the hub, newest first: SEQ ACTION ENTITY EVENT-ID PROCESSED-AT. The
/// entity is named by its artifact's kind and name; the UUID is in the detail (`Enter`), and in
/// the row only when the artifact is unknown.
struct EventsView {
    var events: [HubEvent]
    /// Kind and name of the events' artifacts, by `entityId`.
    var artifacts: [String: ArtifactName]
    var visible: [Int]
    var cursor: TableCursor
    var filter: String

    static let columns = [
        TableColumn(title: "SEQ", width: 7, alignRight: true), TableColumn(title: "ACTION", width: 6),
        TableColumn(title: "ENTITY", width: 20, flex: 3), TableColumn(title: "EVENT-ID", width: 12, flex: 1),
        TableColumn(title: "PROCESSED-AT", width: 19),
    ]

    /// What the ENTITY column says: `REST petstore-api-7`, or the kind and the UUID of an
    /// artifact known neither to the store nor to the event.
    static func entity(_ e: HubEvent, _ artifacts: [String: ArtifactName]) -> (text: String, known: Bool) {
        if let name = artifacts[e.entityId] { return (name.label, true) }
        return ("\(ArtifactKind(rawValue: e.entityType)?.label ?? e.entityType) \(e.entityId)", false)
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        TableWidget(
            columns: Self.columns, rowCount: visible.count, cursor: cursor, filter: filter,
            row: { i in
                let e = events[visible[i]]
                let role: ThemeRole = e.action == .delete ? .pending : (e.action == .create ? .ok : .text)
                let entity = Self.entity(e, artifacts)
                return [
                    TableCell(String(e.seq)), TableCell(e.action.rawValue, role), TableCell(entity.text, entity.known ? nil : .dim),
                    TableCell(e.eventId, .dim), TableCell(ArtifactsView.shortTime(e.processedAt), .dim),
                ]
            },
            emptyText: filter.isEmpty ? "the hub holds no events" : "no event matches /\(filter)"
        ).render(in: rect, into: &buffer, theme: theme)
    }
}
