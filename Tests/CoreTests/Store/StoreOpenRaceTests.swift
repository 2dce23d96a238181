import Foundation
import Testing
import TestSupport
@testable import Core

/// Replicas started together on a store that does not exist yet (a fresh host, or a campaign's
/// first start): every one of them opens it, and the schema is made once. Found by the replica
/// crash campaign, where the second replica died with "duplicate column name: masked_key".
struct StoreOpenRaceTests {
    @Test func processesOpeningANewSQLiteStoreAtOnceAllSucceed() async throws {
        for round in 1...8 {
            let directory = TemporaryDirectory(prefix: "gwops-open-race")
            defer { directory.remove() }
            let path = directory.file("gateway.db")
            // Separate connections to one file lock each other as separate processes do
            let outcomes = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 1...4 {
                    group.addTask {
                        try await OffPool.run {
                            do {
                                _ = try SQLiteStore(path: path, gatewayId: StoreFixture.gatewayId)
                                return nil
                            } catch {
                                return "\(error)"
                            }
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
            }
            #expect(outcomes.isEmpty, "round \(round): \(outcomes)")
            let store = try SQLiteStore(path: path, gatewayId: StoreFixture.gatewayId)
            #expect(try await store.position().headSeq == 0)
        }
    }
}
