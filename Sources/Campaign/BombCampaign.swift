import ArgumentParser
import Core
import Foundation
import PlatformSim
import TestSupport

/// `gwops-campaign bombs`: `gwops sync` against the catalog's archive bombs, one batch in flight
/// and four, with the peak resident memory of the process as `/usr/bin/time` reports it
/// (`ru_maxrss`; measured through `time` because Linux carries a process's peak across `exec`,
/// and this process holds the bombs). Fails when a bomb is not refused in words or a peak passes
/// its target.
struct BombCampaign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bombs", abstract: "Peak RSS of `gwops sync` against decompression bombs (RELIABILITY.md).")

    @Option(help: "Deployments on the simulated platform.") var deployments = 200
    @Option(help: "Peak RSS target with one batch in flight, MB.") var target1 = 100.0
    @Option(help: "Peak RSS target with four batches in flight, MB.") var target4 = 200.0
    @Option(help: "Only this fault (and the healthy run).") var only: String?
    @Flag(help: "Keep the working directory and print where it is.") var keep = false

    /// The bombs, with words the sync's output must contain and the extra memory allowed over
    /// the targets: the flood's files are kept up to the 32 MiB cap, whatever its size.
    static let bombs: [(fault: String?, words: String, allowance: Double)] = [
        (nil, "succeeded", 0),
        ("archive-entry-bomb", "declares 1073741824 bytes, above the limit of 8388608 bytes", 0),
        ("archive-bomb", "decompression bomb", 0),
        ("archive-yaml-flood", "files in the archive exceed 33554432 bytes", 50),
    ]

    func run() async throws {
        let env = ProcessInfo.processInfo.environment.merging(["GWOPS_TEST_API_KEY": SimulatorHarness.apiKey]) { _, new in new }
        let binary = try GwopsBinary.path()
        var lines = ["| platform answers | batches in flight | gwops sync peak RSS | target | outcome |", "|---|---|---|---|---|"]
        var problems: [String] = []
        say("bomb campaign: \(deployments) deployments, batches of 10")
        try await SimulatorHarness.with(deployments: deployments, seed: 9) { h in
            let directory = TemporaryDirectory(prefix: "gwops-campaign-bombs")
            defer { keep ? say("kept \(directory.path)") : directory.remove() }
            for (n, (fault, words, allowance)) in Self.bombs.enumerated() where only == nil || fault == nil || fault == only {
                for inFlight in [1, 4] {
                    let label = "\(fault ?? "a healthy archive") × \(inFlight)"
                    await h.platform.clearFaults()
                    if let fault, !(await h.platform.addFault(named: fault)) { throw CampaignError("no fault \(fault)") }
                    let store = directory.file("bombs-\(n)-\(inFlight).db")
                    let config = GwopsBinary.writeConfig(
                        in: directory, gatewayId: "gw-bombs", platformURL: h.baseURL, storePath: store,
                        extra: "\n[controller.sync]\nbatch_size = 10\nfetch_concurrency = \(inFlight)\n")
                    let (out, err) = (directory.file("\(n)-\(inFlight).out"), directory.file("\(n)-\(inFlight).err"))
                    let rss = directory.file("\(n)-\(inFlight).rss")
                    let argv = ["/usr/bin/time", "-f", "%M", "-o", rss, binary, "sync", "--config", config]
                    let status = try await ChildProcess.finish(
                        try ChildProcess.spawn(argv, environment: env, stdout: out, stderr: err), name: "gwops sync")
                    let rssText = (try? String(contentsOfFile: rss, encoding: .utf8)) ?? ""
                    guard let peakKiB = rssText.split(separator: "\n").last.flatMap({ Int($0) }) else {
                        throw CampaignError("/usr/bin/time wrote no peak RSS for \(label): \(rssText)")
                    }
                    let text = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "") + ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
                    let peak = Double(peakKiB) / 1024
                    let target = min(target4, (inFlight == 1 ? target1 : target4) + allowance)
                    let named = text.contains(words)
                    let expectedStatus: Int32 = fault == nil ? 0 : 1
                    if !named { problems.append("\(label): the output does not say \"\(words)\": \(text.suffix(400))") }
                    if status != expectedStatus { problems.append("\(label): exit status \(status), expected \(expectedStatus)") }
                    if peak > target { problems.append("\(label): peak RSS \(f2(peak)) MB, over the \(Int(target)) MB target") }
                    let outcome = fault == nil ? "synced" : named ? "refused in words (exit \(status))" : "NOT NAMED"
                    lines.append("| \(fault.map { "`\($0)`" } ?? "healthy archives") | \(inFlight) | \(Int(peak.rounded())) MB | ≤ \(Int(target)) MB | \(outcome) |")
                    say("\(label): peak RSS \(f2(peak)) MB, exit \(status)")
                }
            }
        }
        say("")
        lines.forEach(say)
        for problem in problems { say("PROBLEM \(problem)") }
        if !problems.isEmpty { throw ExitCode.failure }
    }
}
