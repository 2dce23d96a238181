import Core
import Testing
@testable import Console

/// Key handling as a pure state machine.
struct ConsoleAppKeyTests {
    func app(readonly: Bool = false) -> ConsoleApp { ConsoleFixtures.app(width: 120, height: 40, readonly: readonly) }

    @Test func movementStaysInsideTheRows() {
        var app = app()
        _ = app.handle(.char("k"))
        #expect(app.state[cursor: .artifacts].selected == 0)
        _ = app.handle(.char("G"))
        #expect(app.state[cursor: .artifacts].selected == 39)
        _ = app.handle(.pageUp)
        #expect(app.state[cursor: .artifacts].selected == 39 - app.state.tableRows)
        _ = app.handle(.char("g"))
        #expect(app.state[cursor: .artifacts].selected == 0)
    }

    @Test func filterNarrowsRowsAndEscapeClearsIt() {
        var app = app()
        for key in [Key.char("/"), .char("m"), .char("c"), .char("p"), .enter] { _ = app.handle(key) }
        #expect(app.visible[.artifacts]?.count == 10)
        #expect(app.visible[.artifacts]?.allSatisfy { app.data.artifacts[$0].summary.kind == .mcp } == true)
        _ = app.handle(.escape)
        #expect(app.state.filter.isEmpty)
        #expect(app.visible[.artifacts]?.count == 40)
    }

    @Test func enterOpensDetailAndEscapeGoesBack() {
        var app = app()
        _ = app.handle(.char("j"))
        let effects = app.handle(.enter)
        #expect(effects == [.loadDetail(app.data.artifacts[1].summary.uuid)])
        #expect(app.state.detail == app.data.artifacts[1].summary.uuid)
        _ = app.handle(.escape)
        #expect(app.state.detail == nil)
    }

    @Test func resyncShowsThePlanThenStartsOnlyOnY() {
        var app = app()
        #expect(app.handle(.char("S")) == [.loadPlan])
        #expect(app.state.dialog == .syncPlan)
        #expect(app.handle(.char("S")).isEmpty, "the starting key does not confirm")
        #expect(app.handle(.char("y")).isEmpty, "no start before the plan is ready")
        var data = app.data
        data.plan = .ready(SyncPreview(plan: SyncPlan(), unreadable: [], verdicts: OrphanVerdicts(), listed: 0))
        app.update(data)
        #expect(app.handle(.enter).isEmpty, "a held Enter never confirms")
        #expect(app.handle(.char("y")) == [.startSync])
        #expect(app.state.dialog == nil)
    }

    @Test func approveConfirmsWithADifferentKey() {
        var app = app()
        _ = app.handle(.char("3"))
        _ = app.handle(.char("A"))
        guard case .confirm(.approve, let reviews) = app.state.dialog else {
            Issue.record("expected a confirmation, got \(String(describing: app.state.dialog))")
            return
        }
        #expect(reviews.map(\.id) == [7])
        #expect(app.handle(.char("A")).isEmpty)
        #expect(app.handle(.enter).isEmpty)
        #expect(app.handle(.char("y")) == [.decide(.approve, reviews: reviews, force: false)])
    }

    @Test func escapeCancelsEveryDialog() {
        let openers: [[Key]] = [[.char("S")], [.char("3"), .char("A")], [.char("3"), .char("X")], [.char("3"), .char(" "), .char(" "), .char("A")], [.char("3"), .char("G"), .char("K")]]
        for keys in openers {
            var app = app()
            for key in keys { _ = app.handle(key) }
            #expect(app.state.dialog != nil, "\(keys) opens a dialog")
            #expect(app.handle(.escape).isEmpty)
            #expect(app.state.dialog == nil, "\(keys): Esc cancels")
        }
    }

    @Test func bulkApprovalNeedsTheTypedCount() {
        var app = app()
        for key in [Key.char("3"), .char(" "), .char(" "), .char("A")] { _ = app.handle(key) }
        _ = app.handle(.char("3"))
        #expect(app.handle(.enter).isEmpty, "a wrong count does nothing")
        #expect(app.state.flash?.text.contains("expected 2") == true)
        _ = app.handle(.char("2"))
        let effects = app.handle(.enter)
        guard case .decide(.approve, let reviews, force: true) = effects.first, effects.count == 1 else {
            Issue.record("expected one forced approval, got \(effects)")
            return
        }
        #expect(reviews.map(\.id) == [7, 8])
    }

    @Test func unverifiedAloneStillNeedsTheTypedConfirmation() {
        var app = app()
        for key in [Key.char("3"), .char("j"), .char("A")] { _ = app.handle(key) }
        guard case .typed(_, let reviews, "1", _, true) = app.state.dialog else {
            Issue.record("expected a typed confirmation with force, got \(String(describing: app.state.dialog))")
            return
        }
        #expect(reviews.map(\.id) == [8])
    }

    @Test func confirmRetentionRefusesAPendingDeletion() {
        var app = app()
        for key in [Key.char("3"), .char("K")] { _ = app.handle(key) }
        #expect(app.state.dialog == nil)
        #expect(app.state.flash?.text.contains("only retained") == true)
    }

    @Test func readOnlyRefusesEveryMutatingBindingAndSaysWhy() {
        for binding in Bindings.all where binding.mutates {
            var app = app(readonly: true)
            if case .view(let view) = binding.scope { _ = app.handle(.char(Character(String(ConsoleView.allCases.firstIndex(of: view)! + 1)))) }
            #expect(app.handle(binding.keys[0]).isEmpty, "\(binding.help)")
            #expect(app.state.dialog == nil)
            #expect(app.state.flash?.text.contains("read-only") == true)
        }
    }

    @Test func commandLineSwitchesViewsAndThemesAndQuits() {
        var app = app()
        for c in ":replicas" { _ = app.handle(.char(c)) }
        _ = app.handle(.enter)
        #expect(app.state.view == .replicas)
        for c in ":theme mono" { _ = app.handle(.char(c)) }
        #expect(app.handle(.enter) == [.setTheme("mono")])
        for c in ":bogus" { _ = app.handle(.char(c)) }
        _ = app.handle(.enter)
        #expect(app.state.flash?.text.contains("unknown command") == true)
        for c in ":q" { _ = app.handle(.char(c)) }
        #expect(app.handle(.enter) == [.quit])
    }

    @Test func markedRowsHiddenByTheFilterAreNamed() {
        var app = app()
        for key in [Key.char("3"), .char(" "), .char("/"), .char("o"), .char("l"), .char("d"), .enter, .char("A")] { _ = app.handle(key) }
        #expect(app.state.flash?.text.contains("hidden by the filter") == true)
    }
}

extension ConsoleAppKeyTests {
    @Test func selectionFollowsTheSameReviewWhenRowsMove() {
        // Given the operator on the unverified review (second row)
        var app = app()
        _ = app.handle(.char("3"))
        _ = app.handle(.char("j"))
        #expect(app.selectedReview?.id == 8)
        // When a refresh inserts a new review at the top
        var data = app.data
        data.reviews.insert(ConsoleFixtures.review(10, "brand-new-orphan", verdict: .deletedOnPlatform, status: .pending), at: 0)
        app.update(data)
        // Then the selection is still on review 8, and A acts on it
        #expect(app.selectedReview?.id == 8)
        _ = app.handle(.char("A"))
        guard case .typed(_, let reviews, _, _, _) = app.state.dialog else {
            Issue.record("expected the typed confirmation for the unverified review")
            return
        }
        #expect(reviews.map(\.id) == [8])
    }
}
