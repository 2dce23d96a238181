import Core
import Testing
import ConsoleTesting
@testable import Console

/// Every view and dialog at 80×24 and 120×40 under the fixed test theme.
struct ViewSnapshotTests {
    static let sizes = [(80, 24), (120, 40)]

    func render(_ app: ConsoleApp, theme: Theme = .test) -> ScreenBuffer {
        app.render(now: ConsoleFixtures.now, theme: theme)
    }

    func keys(_ app: inout ConsoleApp, _ keys: Key...) {
        for key in keys { _ = app.handle(key) }
    }

    @Test(arguments: sizes)
    func artifacts(width: Int, height: Int) {
        ScreenSnapshot.assert(render(ConsoleFixtures.app(width: width, height: height)), named: "artifacts-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func artifactsEmpty(width: Int, height: Int) {
        var data = ConsoleFixtures.data(artifacts: 0)
        data.reviews = []
        data.replicas = []
        data.runs = []
        data.header.platformReachable = nil
        ScreenSnapshot.assert(render(ConsoleFixtures.app(width: width, height: height, data: data)), named: "artifacts-empty-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func artifactsFilteredLongResult(width: Int, height: Int) {
        var app = ConsoleFixtures.app(width: width, height: height, data: ConsoleFixtures.data(artifacts: 400))
        keys(&app, .char("/"), .char("o"), .char("p"), .char("e"), .char("n"), .enter, .char("G"))
        ScreenSnapshot.assert(render(app), named: "artifacts-filter-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func artifactDetail(width: Int, height: Int) {
        var app = ConsoleFixtures.app(width: width, height: height)
        keys(&app, .char("j"), .enter)
        app.detailContent = "kind: LlmProvider\nmetadata:\n  name: openai-llm-provider-1\nspec:\n  version: v1\n"
        app.detailHistory = [ConsoleFixtures.review(3, "openai-llm-provider-1", verdict: .existsOnPlatform, status: .superseded)]
        app.detailKeys = [APIKeyRecord(
            id: "k1", artifactUUID: "a", name: "mobile-app", maskedKey: "***x7Qz", hashes: ["sha256": "9f86d081884c7d65"],
            createdAt: Timestamp(rfc3339: "2026-11-01T08:00:00Z")!)]
        app.detailSubscriptions = [SubscriptionRecord(id: "sub-1", artifactUUID: "a", applicationId: "app-9", planId: "gold", createdAt: .now)]
        let screen = render(app)
        #expect(!screen.lines.joined().contains("9f86d081884c7d65"), "a key hash is never shown")
        ScreenSnapshot.assert(screen, named: "detail-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func replicasWithDownAndGone(width: Int, height: Int) {
        var app = ConsoleFixtures.app(width: width, height: height)
        keys(&app, .char("2"))
        ScreenSnapshot.assert(render(app), named: "replicas-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func orphans(width: Int, height: Int) {
        var app = ConsoleFixtures.app(width: width, height: height)
        keys(&app, .char("3"), .char(" "))
        ScreenSnapshot.assert(render(app), named: "orphans-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func syncRunningWithProgress(width: Int, height: Int) {
        var app = ConsoleFixtures.app(width: width, height: height)
        keys(&app, .char("4"))
        ScreenSnapshot.assert(render(app), named: "sync-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func events(width: Int, height: Int) {
        var app = ConsoleFixtures.app(width: width, height: height)
        keys(&app, .char("5"))
        ScreenSnapshot.assert(render(app), named: "events-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func approveConfirmationDialog(width: Int, height: Int) {
        var app = ConsoleFixtures.app(width: width, height: height)
        keys(&app, .char("3"), .char("A"))
        ScreenSnapshot.assert(render(app), named: "dialog-approve-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func bulkApprovalAsksForTheCount(width: Int, height: Int) {
        var app = ConsoleFixtures.app(width: width, height: height)
        keys(&app, .char("3"), .char(" "), .char(" "), .char("A"), .char("2"))
        ScreenSnapshot.assert(render(app), named: "dialog-bulk-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func syncPlanPreview(width: Int, height: Int) {
        var data = ConsoleFixtures.data()
        var plan = SyncPlan()
        plan.fetches = [PlannedFetch(deployment: RemoteDeployment(
            artifactId: "a-1", deploymentId: "dep-9", kind: .llmProvider, state: .deployed, deployedAt: ConsoleFixtures.now, etag: "e"), reason: .new)]
        plan.inSync = 1280
        plan.orphanCandidates = [ArtifactSummary(uuid: "o-1", handle: "legacy-billing-api", kind: .restApi, desiredState: .deployed, deploymentId: "d", deployedAt: nil)]
        var verdicts = OrphanVerdicts()
        verdicts.verdicts["o-1"] = .deletedOnPlatform
        data.plan = .ready(SyncPreview(plan: plan, unreadable: [], verdicts: verdicts, listed: 1284))
        var app = ConsoleFixtures.app(width: width, height: height, data: data)
        keys(&app, .char("S"))
        ScreenSnapshot.assert(render(app), named: "dialog-plan-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func helpOverlay(width: Int, height: Int) {
        var app = ConsoleFixtures.app(width: width, height: height)
        keys(&app, .char("3"), .char("?"))
        ScreenSnapshot.assert(render(app), named: "help-orphans-\(width)x\(height)")
    }

    @Test func tooSmallTerminalSaysWhatItNeeds() {
        ScreenSnapshot.assert(render(ConsoleFixtures.app(width: 60, height: 20)), named: "too-small-60x20")
    }

    @Test func asciiModeUsesNoUnicodeGlyphs() {
        var app = ConsoleFixtures.app(width: 120, height: 40)
        keys(&app, .char("2"))
        let buffer = render(app, theme: Theme.test.adapted(colors: .none, unicode: false))
        ScreenSnapshot.assert(buffer, named: "replicas-ascii-120x40")
        #expect(buffer.lines.joined().unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func readOnlyBadgeAndHintsHideMutations() {
        let buffer = render(ConsoleFixtures.app(width: 120, height: 40, readonly: true))
        ScreenSnapshot.assert(buffer, named: "artifacts-readonly-120x40")
        #expect(!buffer.lines[38].contains("resync"))
        #expect(buffer.lines[0].contains(" RO "))
    }

    @Test func monoThemeRendersWithoutColorButKeepsSelectionVisible() throws {
        let mono = try ThemeLoader.load("mono").adapted(colors: .full, unicode: true)
        let buffer = render(ConsoleFixtures.app(width: 120, height: 40), theme: mono)
        ScreenSnapshot.assert(buffer, named: "artifacts-mono-120x40")
        #expect(buffer.cells.allSatisfy { $0.style.fg == .default && $0.style.bg == .default })
        #expect(buffer[1, 5].style.reverse, "the selected row stands out without color")
    }

    @Test func noColorStripsColorsFromEveryTheme() throws {
        for name in ["default", "high-contrast", "solarized-dark"] {
            let theme = try ThemeLoader.load(name).adapted(colors: .none, unicode: true)
            let buffer = render(ConsoleFixtures.app(width: 80, height: 24), theme: theme)
            #expect(buffer.cells.allSatisfy { $0.style.fg == .default && $0.style.bg == .default }, "\(name)")
            #expect(buffer[1, 5].style.reverse, "\(name): selection visible without color")
        }
    }
}
