import Core
import Foundation
import Testing
import TestSupport

extension GatewayHostTests {
    /// The lockouts of an installed gateway, as an unprivileged local account would try them: as
    /// `nobody` (no role) and as bob (a viewer), 300 connections trickling a header line every 10 s,
    /// then 3,000 connection attempts held. Throughout, alice (an operator) runs `gwops status`
    /// and is answered through the socket; the controller logs the refusals a line at a time and
    /// counts them in its metrics.
    @Test(.timeLimit(.minutes(5)))
    func noLocalAccountLocksTheOperatorsOutOfTheSocket() async throws {
        let checkout = try SystemTests.stagedCheckout()
        defer { checkout.remove() }
        try await SystemTests.installWithOperators(from: checkout)
        let e2e = try await E2EGateway(.sqlite)
        defer { e2e.remove() }
        let campaign = try GwopsBinary.reachableCopy(GwopsBinary.campaign)
        try await SimulatorHarness.with(deployments: 40, seed: 11) { sim in
            let port = try PostgresServer.freePort()
            try e2e.writeConfig(platformURL: sim.baseURL, extra: "[metrics]\nlisten = \"127.0.0.1:\(port)\"")
            let (synced, syncLog) = try await e2e.syncAsService(in: checkout)
            #expect(synced == 0, "\(syncLog)")
            let controller = try e2e.startController(in: checkout)
            defer { e2e.stop(controller) }
            try await waitUntil(seconds: 60) { FileManager.default.fileExists(atPath: E2EGateway.socket) }

            var timings: [String: [Double]] = [:]
            for attacker in ["nobody", "bob"] {
                for (lockout, flags) in [("trickle", "--trickle 300 --interval 10"), ("flood", "--flood 3000")] {
                    let label = "\(attacker) \(lockout)"
                    let attack = Task {
                        try await SystemTests.bash(
                            "runuser -u \(attacker) -- \(campaign) hostile-clients --socket \(E2EGateway.socket) \(flags) --duration 12", in: checkout)
                    }
                    try await Task.sleep(for: .seconds(1))  // under way
                    var seconds: [Double] = []
                    for _ in 0..<30 {
                        let started = ContinuousClock.now
                        let (status, out, err) = try await SystemTests.bash("runuser -u alice -- gwops status --config \(E2EGateway.config)", in: checkout)
                        seconds.append((ContinuousClock.now - started).seconds)
                        // alice cannot read the store: an answer came through the socket
                        #expect(status == 0 && out.contains("gw-e2e"), "\(label): alice was not answered: \(err)")
                        #expect(!err.contains("store directly") && !err.contains("busy"), "\(label): \(err)")
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    let (code, report, attackErr) = try await attack.value
                    #expect(code == 0, "\(label): \(attackErr)")
                    timings[label] = seconds
                    print("lockout \(label): \(report.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
            }
            for (label, seconds) in timings.sorted(by: { $0.key < $1.key }) {
                let sorted = seconds.sorted()
                let p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
                print("lockout \(label): alice's `gwops status` p50 \(Int(sorted[sorted.count / 2] * 1000)) ms, p99 \(Int(p99 * 1000)) ms")
                // Never the 3 s a client waits before it calls the controller busy
                #expect(p99 < 3, "\(label): alice's status took \(p99) s")
            }

            // The refusals were counted by reason, and logged a line at a time per account
            let metrics = try await SystemTests.scrape(port: port)
            #expect((metrics[#"gwops_control_refused_total{reason="no_role"}"#] ?? 0) >= 3000, "\(metrics)")
            #expect((metrics[#"gwops_control_refused_total{reason="account_limit"}"#] ?? 0) >= 2000, "\(metrics)")
            #expect((metrics[#"gwops_control_refused_total{reason="request_deadline"}"#] ?? 0) >= 1, "bob's trickles were cut off: \(metrics)")
            let log = (try? String(contentsOfFile: checkout.file("controller.log"), encoding: .utf8)) ?? ""
            let refusals = log.split(separator: "\n").filter { $0.contains("control socket connection refused") }
            #expect(refusals.contains { $0.contains("account=nobody") } && refusals.contains { $0.contains("account=bob") }, "\(refusals)")
            #expect(refusals.count <= 8, "refusals are logged once a minute per account and reason: \(refusals.count) lines")
        }
    }
}

extension SystemTests {
    /// `name{labels}` → value from a metrics endpoint on this host.
    static func scrape(port: Int) async throws -> [String: Double] {
        let directory = TemporaryDirectory(prefix: "gwops-scrape")
        defer { directory.remove() }
        let (status, text, err) = try await bash("curl -sf http://127.0.0.1:\(port)/metrics", in: directory)
        guard status == 0 else { throw EndToEndFailure("scraping the metrics failed: \(err)") }
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }
}
