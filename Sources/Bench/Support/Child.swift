import Foundation
import TestSupport

/// Runs this benchmark binary again as a child process (a sync, a replica, a console), so each
/// measures its own memory and runs as a separate process as in production.
struct Child {
    let pid: pid_t
    let name: String
    let directory: TemporaryDirectory

    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func start(_ args: [String], name: String, in directory: TemporaryDirectory) throws -> Child {
        let pid = try ChildProcess.spawn(
            [executable] + args, environment: ProcessInfo.processInfo.environment,
            stdout: directory.file(name + ".out"), stderr: directory.file(name + ".err"))
        return Child(pid: pid, name: name, directory: directory)
    }

    static func run(_ args: [String], name: String, in directory: TemporaryDirectory) async throws -> String {
        try await start(args, name: name, in: directory).finish()
    }

    /// Waits without holding a thread; returns stdout, or throws with the end of stderr.
    func finish(timeout: Duration = .seconds(1800)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) != pid {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                throw BenchError("\(name) did not finish within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let out = (try? String(contentsOfFile: directory.file(name + ".out"), encoding: .utf8)) ?? ""
        guard (status & 0x7f) == 0, (status >> 8) & 0xff == 0 else {
            let err = (try? String(contentsOfFile: directory.file(name + ".err"), encoding: .utf8)) ?? ""
            throw BenchError("\(name) failed (status \(status)): \(err.suffix(800))")
        }
        return out
    }

    /// Decodes the child's JSON result (the last line of its stdout).
    func result<T: Decodable>(_ type: T.Type) async throws -> T {
        try Self.decode(T.self, from: try await finish(), name: name)
    }

    static func decode<T: Decodable>(_ type: T.Type, from out: String, name: String) throws -> T {
        guard let line = out.split(separator: "\n").last, let value = try? JSONDecoder().decode(T.self, from: Data(line.utf8)) else {
            throw BenchError("\(name) printed no result: \(out.suffix(300))")
        }
        return value
    }
}

/// Prints one JSON line (a child's result).
func emit<T: Encodable>(_ value: T) throws {
    print(String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
