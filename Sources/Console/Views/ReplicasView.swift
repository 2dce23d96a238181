import Core

/// `replicas`: REPLICA HOST STATUS REASON LAG(ev) LAG(time) TREND HEADROOM CURSOR HEARTBEAT,
/// worst time lag first.
struct ReplicasView {
    var reports: [LagReport]
    var records: [String: ReplicaRecord]
    var history: [String: [LagSample]]
    var visible: [Int]
    var cursor: TableCursor
    var filter: String

    static let columns = [
        TableColumn(title: "REPLICA", width: 14, flex: 1), TableColumn(title: "HOST", width: 8, flex: 1, hideBelow: 100),
        TableColumn(title: "STATUS", width: 9), TableColumn(title: "REASON", width: 8, flex: 3),
        TableColumn(title: "LAG(ev)", width: 7, alignRight: true), TableColumn(title: "LAG(time)", width: 9, alignRight: true),
        TableColumn(title: "TREND", width: 10), TableColumn(title: "HEADROOM", width: 8, alignRight: true, hideBelow: 100),
        TableColumn(title: "CURSOR", width: 7, alignRight: true, hideBelow: 100), TableColumn(title: "HEARTBEAT", width: 9, alignRight: true),
    ]

    func render(in rect: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
        let g = theme.glyphs
        TableWidget(
            columns: Self.columns, rowCount: visible.count, cursor: cursor, filter: filter,
            row: { i in
                let r = reports[visible[i]]
                let rec = records[r.replicaId]
                let badge = StatusBadge.lag(r.status)
                let trend = Sparkline(values: (history[r.replicaId] ?? []).map { Double($0.lagEvents) }).text(width: 10, glyphs: g)
                return [
                    TableCell(r.replicaId), TableCell(rec.map { "\($0.host):\($0.pid)" } ?? "?", .dim),
                    TableCell(badge.text(g), badge.role), TableCell(r.reason ?? "", r.status == .ok ? .dim : badge.role),
                    TableCell(String(r.lagEvents)), TableCell(Format.seconds(r.lagSeconds)), TableCell(trend, .progress),
                    TableCell("\(Int((r.headroom * 100).rounded()))%", r.headroom < 0.2 ? .warn : .text),
                    TableCell(rec.map { String($0.appliedSeq) } ?? "?"), TableCell("\(Format.seconds(r.heartbeatAge)) ago", r.status == .down ? .err : .dim),
                ]
            },
            emptyText: "no replicas registered: start one with `gwops controller --replica-id ID`"
        ).render(in: rect, into: &buffer, theme: theme)
    }
}
