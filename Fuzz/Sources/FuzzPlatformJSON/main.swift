import Core
import FuzzDriver
import Foundation

/// The deployments listing and the exists answer on arbitrary bytes: refused with a
/// PlatformError or read, never a crash.
func fuzzPlatformJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let listing = try PlatformClient.decodeListing(bytes, now: Timestamp(milliseconds: 1_800_000_000_000))
        // An accepted entry is usable as is: an id, a deployment id and a date no later than a day ahead.
        for d in listing.deployments {
            precondition(!d.artifactId.isEmpty && !d.deploymentId.isEmpty)
            precondition(d.deployedAt.milliseconds <= 1_800_000_000_000 + 24 * 3600 * 1000)
        }
        let ids = Set(listing.deployments.map(\.artifactId))
        precondition(ids.count == listing.deployments.count, "an artifact listed twice was accepted")
    } catch is PlatformError {
    } catch {
        preconditionFailure("unexpected error type: \(error)")
    }
    do {
        let answers = try PlatformClient.decodeExists(bytes, asked: ["a", "b", "c"])
        precondition(Set(answers.keys) == ["a", "b", "c"])
    } catch is PlatformError {
    } catch {
        preconditionFailure("unexpected error type: \(error)")
    }
    return 0
}

exit(FuzzDriver.run(fuzzPlatformJSON))
