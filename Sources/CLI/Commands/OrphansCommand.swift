import ArgumentParser
import Core
import Foundation

/// `gwops orphans`: list orphan reviews and decide on them.
struct OrphansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orphans", abstract: "List orphans and approve, reject or confirm them.",
        subcommands: [List.self, Approve.self, Reject.self, ConfirmRetained.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pending deletions, unverified and retained artifacts.")
        @OptionGroup var global: GlobalOptions
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() async throws {
            let config = try global.loadConfig()
            let service = try await Runtime.gatewayService(
                config, global: global, readonly: global.isReadOnly(config), needsPlatform: false,
                logger: Runtime.logger("gwops.orphans", level: .warning))
            let reviews = try await service.reviews(statuses: [.pending, .retained, .retentionConfirmed])
            if json {
                print(try Terminal.json(reviews.map(ReviewJSON.init)))
                return
            }
            guard !reviews.isEmpty else {
                print("no orphans: nothing waits for a decision")
                return
            }
            print("REVIEW  STATUS               VERDICT              KIND         KEYS  SUBS  ARTIFACT                              HANDLE")
            for r in reviews {
                print(
                    "\(String(r.id).pad(7)) \(r.status.rawValue.pad(20)) \(r.verdict.rawValue.pad(20)) \(r.kind.rawValue.pad(12)) \(String(r.apiKeys).pad(5)) \(String(r.subscriptions).pad(5)) \(r.artifactUUID.pad(37)) \(r.handle)")
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete orphans the platform no longer has, with their API keys and subscriptions.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Review ids or artifact ids.") var ids: [String] = []
        @Flag(name: .long, help: "Every pending deletion (needs --expect-count).") var all = false
        @Option(name: .long, help: "With --all: the number of orphans you expect to delete; refused if it differs.")
        var expectCount: Int?
        @Flag(name: .long, help: "Also approve unverified orphans (the platform could not be asked).") var force = false
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() async throws {
            try await Decisions.run(
                .approve, ids: ids, all: all, expectCount: expectCount, force: force, json: json, global: global)
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep orphans: the rejection sticks until the artifact changes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Review ids or artifact ids.") var ids: [String] = []
        @Flag(name: .long, help: "Every pending deletion.") var all = false
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() async throws {
            try await Decisions.run(.reject, ids: ids, all: all, expectCount: nil, force: false, json: json, global: global)
        }
    }

    struct ConfirmRetained: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "confirm-retained", abstract: "Confirm artifacts retained because the platform still has them.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Review ids or artifact ids.") var ids: [String] = []
        @Flag(name: .long, help: "Every retained artifact.") var all = false
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() async throws {
            try await Decisions.run(
                .confirmRetention, ids: ids, all: all, expectCount: nil, force: false, json: json, global: global)
        }
    }
}

extension ReviewDecision {
    /// The `gwops orphans` subcommand that makes this decision.
    var verb: String {
        switch self {
        case .approve: "approve"
        case .reject: "reject"
        case .confirmRetention: "confirm-retained"
        }
    }
}

/// Carries out decisions named on the command line.
enum Decisions {
    struct Outcome: Encodable {
        var review: Int64
        var artifactId: String
        var result: String
        var detail: String?
    }

    static func run(
        _ decision: ReviewDecision, ids: [String], all: Bool, expectCount: Int?, force: Bool, json: Bool, global: GlobalOptions
    ) async throws {
        guard all != !ids.isEmpty else {
            throw CLIFailure(message: "name review or artifact ids, or pass --all (not both)", code: 2)
        }
        let config = try global.loadConfig()
        try global.refuseIfReadOnly(config, "`gwops orphans \(decision.verb)`")
        let service = try await Runtime.gatewayService(
            config, global: global, readonly: false, needsPlatform: false, logger: Runtime.logger("gwops.orphans", level: .warning))
        // A viewer is told so before anything is looked up.
        if let refusal = try await service.whoami().actionRefusal { throw CLIFailure(message: refusal) }
        let eligible: [ReviewStatus] = decision == .confirmRetention ? [.retained] : [.pending]
        let open = try await service.reviews(statuses: eligible)
        var targets: [OrphanReview] = []
        if all {
            targets = open.filter { force || $0.verdict != .unverified }
            if decision == .approve {
                guard let expectCount else {
                    throw CLIFailure(
                        message: "--all would delete \(targets.count) artifacts; repeat with --expect-count \(targets.count) to confirm",
                        code: 2)
                }
                guard expectCount == targets.count else {
                    throw CLIFailure(
                        message: "--expect-count \(expectCount) does not match the \(targets.count) pending deletions; nothing deleted",
                        code: 2)
                }
            }
        } else {
            for id in ids {
                if let review = try await service.review(idOrArtifact: id) {
                    targets.append(review)
                } else {
                    throw CLIFailure(message: "no review or orphaned artifact with id \(id) (see `gwops orphans list`)")
                }
            }
        }
        var outcomes: [Outcome] = []
        var refused = false
        for review in targets {
            let result = try await service.decide(reviewId: review.id, decision: decision, seen: ReviewVersion(review), force: force)
            let (word, detail): (String, String?) =
                switch result {
                case .deleted(let d): ("deleted", "\(d.apiKeys) API keys and \(d.subscriptions) subscriptions removed")
                case .rejected: ("rejected", "kept until the artifact changes")
                case .retentionConfirmed: ("retention confirmed", nil)
                case .superseded: ("superseded", "the artifact changed since the review; nothing deleted")
                case .refused(let why): ("refused", why)
                }
            if case .refused = result { refused = true }
            outcomes.append(Outcome(review: review.id, artifactId: review.artifactUUID, result: word, detail: detail))
        }
        if json {
            print(try Terminal.json(outcomes))
        } else if outcomes.isEmpty {
            print("nothing to do")
        } else {
            for o in outcomes {
                print("review \(o.review) (\(o.artifactId)): \(o.result)\(o.detail.map { " — \($0)" } ?? "")")
            }
        }
        if refused { throw ExitCode.failure }
    }
}

/// The JSON form of a review.
struct ReviewJSON: Encodable {
    var id: Int64
    var artifactId: String
    var kind: String
    var handle: String
    var verdict: String
    var status: String
    var apiKeys: Int
    var subscriptions: Int
    var detectedRun: Int64?
    var detectedAt: String
    var reason: String?
    var decidedBy: String?

    init(_ r: OrphanReview) {
        id = r.id
        artifactId = r.artifactUUID
        kind = r.kind.rawValue
        handle = r.handle
        verdict = r.verdict.rawValue
        status = r.status.rawValue
        apiKeys = r.apiKeys
        subscriptions = r.subscriptions
        detectedRun = r.detectedRun
        detectedAt = r.detectedAt.rfc3339
        reason = r.reason
        decidedBy = r.decidedBy
    }
}

extension String {
    func pad(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
