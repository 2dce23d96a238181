import Core
import Foundation
import PlatformSim
import TestSupport

/// `archive`: decoding the batch endpoint's tar.gz (gwops's strict reader over CompressNIO)
/// against `gzip -dc | tar -t` on the same bytes (the zlib floor), for 50 and 5,000 deployments.
struct ArchiveSuite: Suite {
    static let key = "archive"

    func run(_ options: SuiteOptions) async throws -> SuiteReport {
        let dir = TemporaryDirectory(prefix: "gwops-bench-archive")
        defer { dir.remove() }
        var json: [String: Figure] = [:]
        var lines = ["| deployments | tar MB | gz MB | gwops MB/s | zlib floor MB/s | gwops/floor |", "|---|---|---|---|---|---|"]
        for n in [50, 5000] {
            let platform = SimulatedPlatform(deployments: n, seed: 5)
            let contents = await platform.all().compactMap { a in a.deployment.map { (a, $0) } }
            let gz = try PlatformSimulator.archive(contents)
            let file = dir.file("archive-\(n).tar.gz")
            try Data(gz).write(to: URL(fileURLWithPath: file))
            let tarBytes = try ArchiveReader.readContents(gzipped: gz).files.values.joined().reduce(0) { $0 + $1.content.count }
            let tarMB = Double(try Self.tarSize(file, dir)) / 1_048_576
            // Small archives decode in well under a millisecond: repeat so each sample is measurable.
            let inner = n < 1000 ? 50 : 1
            var ours: [Double] = [], floor: [Double] = []
            for rep in 0..<max(3, options.repetitions) {
                for contender in rep % 2 == 0 ? ["gwops", "zlib"] : ["zlib", "gwops"] {
                    let start = ContinuousClock.now
                    for _ in 0..<inner {
                        if contender == "gwops" {
                            _ = try ArchiveReader.readContents(gzipped: gz)
                        } else {
                            try Self.gzipTar(file, dir)
                        }
                    }
                    let rate = tarMB * Double(inner) / (ContinuousClock.now - start).seconds
                    if contender == "gwops" { ours.append(rate) } else { floor.append(rate) }
                }
            }
            let (g, z) = (Spread(ours), Spread(floor))
            json[String(n)] = [
                "gwops_mb_per_s": .number(g.median), "zlib_mb_per_s": .number(z.median), "gwops_zlib_ratio": .number(g.median / z.median),
                "tar_mb": .number(tarMB), "gz_mb": .number(Double(gz.count) / 1_048_576), "content_bytes": .number(Double(tarBytes)),
                "spread": ["gwops": g.json, "zlib": z.json],
            ]
            lines.append("| \(n) | \(f(tarMB, 2)) | \(f(Double(gz.count) / 1_048_576, 2)) | \(g.text(0)) | \(z.text(0)) | \(f(g.median / z.median, 2)) |")
        }
        lines.append("MB/s of uncompressed tar. The floor includes starting gzip and tar (a few ms), which dominates at 50 deployments.")
        return SuiteReport(json: .object(json), lines: lines)
    }

    static func gzipTar(_ file: String, _ dir: TemporaryDirectory) throws {
        let status = try ChildProcess.run(
            ["/bin/sh", "-c", "gzip -dc '\(file)' | tar -t > /dev/null"], environment: ["PATH": "/usr/bin:/bin"],
            stdout: "/dev/null", stderr: dir.file("zlib.err"))
        guard status == 0 else { throw BenchError("gzip -dc | tar -t failed (\(status))") }
    }

    static func tarSize(_ file: String, _ dir: TemporaryDirectory) throws -> Int {
        let out = dir.file("size.out")
        let status = try ChildProcess.run(
            ["/bin/sh", "-c", "gzip -dc '\(file)' | wc -c"], environment: ["PATH": "/usr/bin:/bin"], stdout: out, stderr: dir.file("zlib.err"))
        guard status == 0, let n = Int((try String(contentsOfFile: out, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw BenchError("gzip -dc | wc -c failed (\(status))") }
        return n
    }
}
