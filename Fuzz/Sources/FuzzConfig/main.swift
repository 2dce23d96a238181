import Core
import FuzzDriver
import Foundation

/// The config loader on arbitrary text: a config or a ConfigError naming the problem, never a
/// crash.
func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try ConfigLoader.parse(text, file: "fuzz.toml")
    } catch let error as ConfigError {
        precondition(!"\(error)".isEmpty)
    } catch {
        preconditionFailure("unexpected error type: \(error)")
    }
    return 0
}

exit(FuzzDriver.run(fuzzConfig))
