import Core

/// The console's views.
package enum ConsoleView: String, CaseIterable, Sendable {
    case artifacts, replicas, orphans, sync, events
}

/// Selection and scroll of one table.
struct TableCursor: Sendable, Equatable {
    var selected = 0
    var offset = 0

    /// Keeps the selection inside `count` rows and visible in `visible` rows.
    mutating func clamp(count: Int, visible: Int) {
        selected = count == 0 ? 0 : min(max(0, selected), count - 1)
        if selected < offset { offset = selected }
        if visible > 0, selected >= offset + visible { offset = selected - visible + 1 }
        offset = max(0, min(offset, max(0, count - visible)))
    }
}

/// A modal dialog.
package enum Dialog: Sendable, Equatable {
    /// `S`: the plan, then `y` starts the sync.
    case syncPlan
    /// A single decision, confirmed with `y` (never the key that started it).
    case confirm(decision: ReviewDecision, reviews: [OrphanReview])
    /// Bulk approval or an unverified orphan: the operator types `expected`.
    case typed(decision: ReviewDecision, reviews: [OrphanReview], expected: String, typed: String, force: Bool)
}

/// What the key handler asks the runner to do.
package enum ConsoleEffect: Sendable, Equatable {
    case loadPlan
    case startSync
    /// The reviews as the operator saw them: each decision applies only while its row is unchanged.
    case decide(ReviewDecision, reviews: [OrphanReview], force: Bool)
    case setTheme(String)
    case loadDetail(String)
    case quit
    case redraw
}

/// A transient message on the flash line.
package struct Flash: Sendable, Equatable {
    var text: String
    var role: ThemeRole
}

/// Everything about the console's presentation that keys change.
struct ConsoleState: Sendable, Equatable {
    var view: ConsoleView = .artifacts
    var detail: String?
    var cursors: [ConsoleView: TableCursor] = [:]
    var filter = ""
    var editingFilter = false
    var commandLine: String?
    var dialog: Dialog?
    var showHelp = false
    var marked: Set<Int64> = []
    var flash: Flash?
    var readonly = false
    /// Why actions are disabled, in words (a read-only session, or a viewer's role).
    var readonlyReason = "read-only console (started with --readonly)"
    var width = 80
    var height = 24

    static let minimumWidth = 80
    static let minimumHeight = 24

    var tooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }

    /// Rows available to the main table (screen minus header, pulse, separators, hints).
    var tableRows: Int { max(1, height - 9) }

    subscript(cursor view: ConsoleView) -> TableCursor {
        get { cursors[view] ?? TableCursor() }
        set { cursors[view] = newValue }
    }
}
