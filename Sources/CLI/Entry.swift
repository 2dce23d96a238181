import ArgumentParser
import Console
import Core
import Foundation

/// The `gwops` entry point: maps failures to exit codes (0 ok, 1 failure, 2 usage or
/// configuration error) and prints them as one sentence on stderr.
public enum Entry {
    public static func main() async {
        await main(Gwops.self)
    }

    /// Runs the command line as `root` parses it (`gwops`, `gwops-demo`).
    package static func main(_ root: any ParsableCommand.Type) async {
        do {
            var command = try root.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(report(error, root: root))
        }
    }

    package static func report(_ error: Error, root: any ParsableCommand.Type = Gwops.self) -> Int32 {
        if case let e as ExitCode = error { return e.rawValue }
        if let (message, code) = operatorMessage(error) {
            Terminal.error(message)
            return code
        }
        let code = root.exitCode(for: error)
        let message = root.fullMessage(for: error)
        if code == .success {
            print(message)
            return 0
        }
        if !message.isEmpty { Terminal.error(message) }
        return code == .validationFailure ? 2 : code.rawValue
    }

    /// Our own errors: one sentence and the exit code (2 for configuration, 1 for the rest).
    static func operatorMessage(_ error: Error) -> (String, Int32)? {
        switch error {
        case let e as ConfigError: (e.description, 2)
        case let e as ThemeError: (e.description, 2)
        case let e as CLIFailure: (e.message, e.code)
        case let e as StorageError: (e.description, 1)
        case let e as PlatformError: (e.description, 1)
        case let e as SyncError: (e.description, 1)
        case let e as TerminalError: (e.description, 1)
        case let e as LiveError: (e.description, 1)
        default: nil
        }
    }
}

/// A failure with its exit code and operator-facing message.
package struct CLIFailure: Error {
    package var message: String
    package var code: Int32 = 1

    package init(message: String, code: Int32 = 1) {
        self.message = message
        self.code = code
    }
}

/// Output helpers.
package enum Terminal {
    package static func error(_ message: String) {
        FileHandle.standardError.write(Data(("gwops: " + message + "\n").utf8))
    }

    /// A line on stderr that is not a warning (what a command is doing).
    package static func note(_ message: String) {
        FileHandle.standardError.write(Data(("gwops: " + message + "\n").utf8))
    }

    package static func warning(_ message: String) {
        FileHandle.standardError.write(Data(("gwops: warning: " + message + "\n").utf8))
    }

    package static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
