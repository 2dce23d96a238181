import Core
import Foundation
import PlatformSim
import TestSupport

/// `sync`: a startup sync of N deployments from the simulator on loopback into an empty SQLite
/// store, then a resync after 5% changed. Contenders: gwops, the storage floor (the same rows in
/// one prepared statement and one transaction) and the reference algorithm. gwops and the
/// reference run as child processes (their own peak RSS); the simulator runs in this one.
struct SyncSuite: Suite {
    static let key = "sync"
    /// Only these deployment counts instead of 1,000 / 10,000 / 100,000.
    var sizes: [Int]?

    enum Contender: String, CaseIterable {
        case gwops, reference, floor
    }

    struct Measured {
        var full: [Contender: [Double]] = [:]
        var resync: [Contender: [Double]] = [:]
        var peakRSS: [Double] = []
        var rows = 0
        var changed = 0
    }

    func run(_ options: SuiteOptions) async throws -> SuiteReport {
        let sizes = self.sizes ?? (options.quick ? [1000] : [1000, 10_000, 100_000])
        var json: [String: Figure] = [:]
        var lines = [
            "| N | phase | gwops rows/s | floor rows/s | reference rows/s | gwops/floor | gwops÷reference | gwops peak RSS |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for n in sizes {
            let m = try await measure(deployments: n, reps: options.repetitions)
            var entry: [String: Figure] = ["rows": .number(Double(m.rows)), "resync_rows": .number(Double(m.changed))]
            for (phase, rates) in [("full", m.full), ("resync", m.resync)] {
                let g = Spread(rates[.gwops] ?? []), fl = Spread(rates[.floor] ?? []), r = Spread(rates[.reference] ?? [])
                let prefix = phase == "full" ? "" : "resync_"
                entry[prefix + "gwops_rows_per_s"] = .number(g.median)
                entry[prefix + "floor_rows_per_s"] = .number(fl.median)
                entry[prefix + "reference_rows_per_s"] = .number(r.median)
                entry[prefix + "gwops_floor_ratio"] = .number(g.median / fl.median)
                entry[prefix + "reference_gwops_ratio"] = .number(g.median / r.median)
                entry[prefix + "spread"] = ["gwops": g.json, "floor": fl.json, "reference": r.json]
                lines.append(
                    "| \(n) | \(phase) | \(g.text(0)) | \(fl.text(0)) | \(r.text(0)) | \(f(g.median / fl.median, 2)) | "
                        + "\(f(g.median / r.median))× | \(phase == "full" ? f(Spread(m.peakRSS).max, 0) + " MB" : "") |")
            }
            entry["peak_rss_mb"] = .number(Spread(m.peakRSS).max)
            json[String(n)] = .object(entry)
        }
        lines.append("rows/s: median [min–max] of \(options.repetitions) run(s); gwops/floor target ≥ 0.30, gwops÷reference target ≥ 10×, peak RSS ≤ 300 MB at 100,000.")
        return SuiteReport(json: .object(json), lines: lines)
    }

    private func measure(deployments n: Int, reps: Int) async throws -> Measured {
        try await SimulatorHarness.with(deployments: n, seed: 11) { sim in
            let dir = TemporaryDirectory(prefix: "gwops-bench-sync")
            defer { dir.remove() }
            // The floor inserts the rows gwops stored: take them from an untimed sync.
            let source = dir.file("source.db")
            let warm = try await syncChild(.gwops, sim, db: source, name: "source", dir)
            let rows = try StorageFloor.load(from: source)
            var m = Measured()
            m.rows = warm.rows
            for rep in 0..<reps {
                let order = Contender.allCases
                for contender in order.indices.map({ order[($0 + rep) % order.count] }) {
                    let (full, resync) = try await runOnce(contender, sim, rows: rows, rep: rep, dir, into: &m)
                    m.full[contender, default: []].append(full)
                    m.resync[contender, default: []].append(resync)
                    Progress.say("sync \(n) rep \(rep + 1) \(contender.rawValue): \(f(full, 0)) rows/s full, \(f(resync, 0)) rows/s resync")
                }
            }
            return m
        }
    }

    /// One contender's full sync and 5% resync; returns rows/s of each.
    private func runOnce(
        _ c: Contender, _ sim: SimulatorHarness, rows: [StorageFloor.Row], rep: Int, _ dir: TemporaryDirectory, into m: inout Measured
    ) async throws -> (Double, Double) {
        let db = dir.file("\(c.rawValue)-\(rep).db")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) } }
        switch c {
        case .floor:
            let full = try StorageFloor.insert(rows, into: db)
            let changed = StorageFloor.changed(rows, fraction: 0.05, salt: rep)
            let resync = try StorageFloor.insert(changed, into: db, replacing: true)
            return (Double(rows.count) / full, Double(changed.count) / resync)
        case .gwops, .reference:
            let full = try await syncChild(c, sim, db: db, name: "\(c.rawValue)-\(rep)-full", dir)
            m.changed = await Self.change(sim.platform, fraction: 0.05)
            let resync = try await syncChild(c, sim, db: db, name: "\(c.rawValue)-\(rep)-resync", dir)
            if c == .gwops { m.peakRSS.append(max(full.peakRssMB, resync.peakRssMB)) }
            guard resync.rows >= m.changed * 9 / 10 else {
                throw BenchError("\(c.rawValue) resync wrote \(resync.rows) rows, expected about \(m.changed)")
            }
            return (Double(full.rows) / full.seconds, Double(resync.rows) / resync.seconds)
        }
    }

    private func syncChild(_ c: Contender, _ sim: SimulatorHarness, db: String, name: String, _ dir: TemporaryDirectory) async throws -> SyncChild.Result {
        let out = try await Child.run(["sync-child", "--algorithm", c.rawValue, "--url", sim.baseURL, "--db", db], name: name, in: dir)
        return try Child.decode(SyncChild.Result.self, from: out, name: name)
    }

    /// Redeploys `fraction` of the platform's artifacts (new deployment ids); returns how many.
    static func change(_ platform: SimulatedPlatform, fraction: Double) async -> Int {
        let all = await platform.all().filter { $0.deployment != nil }
        let picked = all.shuffled().prefix(Int(Double(all.count) * fraction))
        for a in picked { _ = await platform.deploy(a.id) }
        return picked.count
    }
}
