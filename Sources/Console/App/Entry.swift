import ArgumentParser
import Core
import Foundation

/// The `gwops` entry point: maps failures to exit codes (0 ok, 1 failure, 2 usage or
/// configuration error) and prints them as one sentence on stderr.
@main
enum Entry {
    static func main() async {
        do {
            var command = try Gwops.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(report(error))
        }
    }

    static func report(_ error: Error) -> Int32 {
        switch error {
        case let e as ConfigError:
            Terminal.error(e.description)
            return 2
        case let e as CLIFailure:
            Terminal.error(e.message)
            return e.code
        case let e as ExitCode:
            return e.rawValue
        case let e as StorageError:
            Terminal.error(e.description)
            return 1
        case let e as PlatformError:
            Terminal.error(e.description)
            return 1
        case let e as SyncError:
            Terminal.error(e.description)
            return 1
        case let e as ThemeError:
            Terminal.error(e.description)
            return 2
        case let e as TerminalError:
            Terminal.error(e.description)
            return 1
        default:
            let code = Gwops.exitCode(for: error)
            let message = Gwops.fullMessage(for: error)
            if code == .success {
                print(message)
                return 0
            }
            if !message.isEmpty { Terminal.error(message) }
            return code == .validationFailure ? 2 : code.rawValue
        }
    }
}

/// A failure with its exit code and operator-facing message.
struct CLIFailure: Error {
    var message: String
    var code: Int32 = 1
}

/// Output helpers.
enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("gwops: " + message + "\n").utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data(("gwops: warning: " + message + "\n").utf8))
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
