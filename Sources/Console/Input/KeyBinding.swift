/// What a key does in the console.
enum ConsoleAction: Hashable, Sendable {
    case moveUp, moveDown, top, bottom, pageUp, pageDown
    case filter, command, help, nextPane, previousPane, back, quit, redraw
    case show(ConsoleView)
    case openDetail, mark
    case resync, approve, reject, confirmRetention
}

/// Where a binding applies.
enum BindingScope: Hashable, Sendable {
    case global
    case view(ConsoleView)
}

/// One key binding: dispatch, the hint bar and `?` help all read these.
struct KeyBinding: Sendable {
    var keys: [Key]
    var action: ConsoleAction
    /// Short label for the hint bar; nil keeps it out of the bar.
    var hint: String?
    var help: String
    /// Changes something: hidden and refused in read-only mode, confirmed with another key.
    var mutates = false
    var scope: BindingScope

    var keyLabel: String { keys.map(\.description).joined(separator: "/") }
}

/// The console's key bindings, as data.
enum Bindings {
    static let all: [KeyBinding] = global + views

    static let global: [KeyBinding] = [
        KeyBinding(keys: [.up, .char("k")], action: .moveUp, help: "move up", scope: .global),
        KeyBinding(keys: [.down, .char("j")], action: .moveDown, help: "move down", scope: .global),
        KeyBinding(keys: [.char("g"), .home], action: .top, help: "first row", scope: .global),
        KeyBinding(keys: [.char("G"), .end], action: .bottom, help: "last row", scope: .global),
        KeyBinding(keys: [.pageUp], action: .pageUp, help: "page up", scope: .global),
        KeyBinding(keys: [.pageDown], action: .pageDown, help: "page down", scope: .global),
        KeyBinding(keys: [.char("/")], action: .filter, help: "filter rows (substring; Esc clears)", scope: .global),
        KeyBinding(keys: [.char(":")], action: .command, help: "command: :artifacts :replicas :orphans :sync :events :theme NAME :q", scope: .global),
        KeyBinding(keys: [.tab], action: .nextPane, hint: "pane", help: "next view", scope: .global),
        KeyBinding(keys: [.backTab], action: .previousPane, help: "previous view", scope: .global),
        KeyBinding(keys: [.char("1")], action: .show(.artifacts), help: "artifacts view", scope: .global),
        KeyBinding(keys: [.char("2")], action: .show(.replicas), help: "replicas view", scope: .global),
        KeyBinding(keys: [.char("3")], action: .show(.orphans), help: "orphans view", scope: .global),
        KeyBinding(keys: [.char("4")], action: .show(.sync), help: "sync view", scope: .global),
        KeyBinding(keys: [.char("5")], action: .show(.events), help: "events view", scope: .global),
        KeyBinding(keys: [.char("S")], action: .resync, hint: "resync", help: "resync: show the plan, then y to start", mutates: true, scope: .global),
        KeyBinding(keys: [.char("?")], action: .help, hint: "help", help: "this help", scope: .global),
        KeyBinding(keys: [.escape], action: .back, help: "back, cancel, clear filter", scope: .global),
        KeyBinding(keys: [.ctrl("l")], action: .redraw, help: "redraw the screen", scope: .global),
        KeyBinding(keys: [.char("q")], action: .quit, hint: "quit", help: "quit", scope: .global),
    ]

    static let views: [KeyBinding] = [
        KeyBinding(keys: [.enter], action: .openDetail, hint: "detail", help: "artifact detail: content, events, review history", scope: .view(.artifacts)),
        KeyBinding(keys: [.char(" ")], action: .mark, hint: "mark", help: "mark a row for a bulk action", scope: .view(.orphans)),
        KeyBinding(keys: [.char("A")], action: .approve, hint: "approve", help: "approve deletion (marked rows: type the count)", mutates: true, scope: .view(.orphans)),
        KeyBinding(keys: [.char("X")], action: .reject, hint: "reject", help: "reject deletion: keep the artifact", mutates: true, scope: .view(.orphans)),
        KeyBinding(keys: [.char("K")], action: .confirmRetention, hint: "keep", help: "confirm a retained artifact", mutates: true, scope: .view(.orphans)),
        KeyBinding(keys: [.enter], action: .openDetail, hint: "detail", help: "detail of the orphan's artifact", scope: .view(.orphans)),
        KeyBinding(keys: [.enter], action: .openDetail, hint: "detail", help: "detail of the event's artifact, with its UUID", scope: .view(.events)),
    ]

    /// The bindings active in `view`, view-specific first.
    static func active(in view: ConsoleView, readonly: Bool) -> [KeyBinding] {
        (views.filter { $0.scope == .view(view) } + global).filter { !(readonly && $0.mutates) }
    }

    /// The action for `key` in `view`, or nil.
    static func action(for key: Key, in view: ConsoleView) -> KeyBinding? {
        views.first { $0.scope == .view(view) && $0.keys.contains(key) } ?? global.first { $0.keys.contains(key) }
    }
}
