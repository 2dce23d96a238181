import Core
import ServiceLifecycle

/// A long-running part of a controller (the replica, the cleaner, the live path...) as a
/// service: graceful shutdown cancels it, and it ends when its work notices. The cancellation
/// it ends with then is its normal end, not a failure (a service that throws makes the group
/// cancel every other one instead of letting them stop in order).
package struct LoopService: Service, CustomStringConvertible {
    package let description: String
    let body: @Sendable () async throws -> Void

    package init(_ name: String, _ body: @escaping @Sendable () async throws -> Void) {
        description = name
        self.body = body
    }

    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch is CancellationError {
            // Stopped: by graceful shutdown, or the group's cancellation.
        }
    }
}

/// The controller's store: opened before the group runs (a store that cannot be opened stops
/// the controller in words before anything starts), closed once every other service stopped
/// (the group stops services in reverse order, and this one is first).
struct StoreService: Service, CustomStringConvertible {
    let store: any GatewayStore
    var description: String { "store \(store.location)" }

    func run() async throws {
        // Returns at graceful shutdown, throws when cancelled: either way the store closes.
        try? await gracefulShutdown()
        await store.shutdown()
    }
}
