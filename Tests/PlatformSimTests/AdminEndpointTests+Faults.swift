import Foundation
import PlatformSim
import TestSupport
import Testing

@testable import Core

/// Fault injection through `POST /sim/faults` and `DELETE /sim/faults`.
extension AdminEndpointTests {
    @Test func statusFaultAnswersThatStatusCountTimesThenRecovers() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            // Given a 500 fault for the next two listings
            let http = RawHTTP(h)
            let added = try await http.addFault(["endpoint": "deployments", "status": 500, "count": 2])
            #expect(added.status == 204)

            // When the listing is called three times
            let first = try await http.listDeployments()
            let second = try await http.listDeployments()
            let third = try await http.listDeployments()

            // Then the first two fail with the error body, the third is served
            #expect([first.status, second.status, third.status] == [Int]([500, 500, 200]))
            #expect(try first.json(ErrorBody.self).code == 500)
            #expect(try third.json(Wire.Deployments.self).deployments.count == 5)
        }
    }

    @Test func faultOnOneEndpointLeavesTheOthersAlone() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            let http = RawHTTP(h)
            _ = try await http.addFault(["endpoint": "exists", "status": 503, "count": 1])
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }

            #expect(try await http.listDeployments().status == 200)
            #expect(try await http.fetchBatch(ids).status == 200)
            #expect(try await http.exists(["x"]).status == 503)
            #expect(try await http.exists(["x"]).status == 200)
        }
    }

    @Test func fetchBatchStatusFault() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            let http = RawHTTP(h)
            _ = try await http.addFault(["endpoint": "fetch-batch", "status": 502])
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            #expect(try await http.fetchBatch(ids).status == 502)
            #expect(try await http.fetchBatch(ids).status == 200)
        }
    }

    @Test func delayFaultHoldsTheResponse() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            // Given a 600 ms delay on the next listing
            let http = RawHTTP(h)
            // (3 s: far above what a loaded machine adds to a plain call)
            _ = try await http.addFault(["endpoint": "deployments", "delayMs": 3000])
            let clock = ContinuousClock()

            // When the listing is called twice
            let delayedStart = clock.now
            let delayed = try await http.listDeployments()
            let delayedTime = clock.now - delayedStart
            let normalStart = clock.now
            let normal = try await http.listDeployments()
            let normalTime = clock.now - normalStart

            // Then the first answer comes after the delay, complete; the second does not wait
            #expect(delayed.status == 200)
            #expect(try delayed.json(Wire.Deployments.self).deployments.count == 5)
            #expect(delayedTime >= .milliseconds(3000))
            #expect(normal.status == 200)
            #expect(normalTime < .milliseconds(3000))
        }
    }

    @Test func truncateBodyFaultCutsTheJSONInHalf() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            // Given the full listing and a truncation fault
            let http = RawHTTP(h)
            let full = try await http.listDeployments()
            _ = try await http.addFault(["endpoint": "deployments", "truncateBody": true])

            // When the listing is called
            let cut = try await http.listDeployments()

            // Then it is a 200 with half the bytes, not valid JSON
            #expect(cut.status == 200)
            #expect(cut.body.count == full.body.count / 2)
            #expect(cut.text.hasPrefix(#"{"deployments":[{"#))
            #expect(throws: (any Error).self) { try cut.json(Wire.Deployments.self) }
        }
    }

    @Test func truncateBodyFaultCutsTheArchive() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            let http = RawHTTP(h)
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            _ = try await http.addFault(["endpoint": "fetch-batch", "truncateBody": true])
            let cut = try await http.fetchBatch(ids)
            #expect(cut.status == 200)
            #expect(throws: ArchiveError.self) { try ArchiveReader.read(gzipped: cut.body) }
        }
    }

    @Test func corruptArchiveFaultServesAnUnreadableArchive() async throws {
        try await SimulatorHarness.with(deployments: 20) { h in
            // Given a corruption fault on fetch-batch
            let http = RawHTTP(h)
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            _ = try await http.addFault(["endpoint": "fetch-batch", "corruptArchive": true])

            // When a batch is fetched twice
            let corrupt = try await http.fetchBatch(ids)
            let healthy = try await http.fetchBatch(ids)

            // Then the first archive is a 200 that does not read, the second reads
            #expect(corrupt.status == 200)
            #expect(throws: ArchiveError.self) { try ArchiveReader.read(gzipped: corrupt.body) }
            #expect(try ArchiveReader.read(gzipped: healthy.body).count == ids.count)
        }
    }

    @Test func clearingFaultsRestoresNormalAnswers() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            // Given pending faults on every endpoint
            let http = RawHTTP(h)
            for endpoint in ["deployments", "fetch-batch", "exists"] {
                let added = try await http.addFault(["endpoint": endpoint, "status": 500, "count": 10])
                #expect(added.status == 204)
            }

            // When the faults are cleared
            let cleared = try await http.delete("/sim/faults")
            #expect(cleared.status == 204)

            // Then every endpoint answers normally
            let ids = await h.platform.all().compactMap { $0.deployment?.deploymentId }
            #expect(try await http.listDeployments().status == 200)
            #expect(try await http.fetchBatch(ids).status == 200)
            #expect(try await http.exists(["x"]).status == 200)
        }
    }

    @Test func faultWithUnknownEndpointIsBadRequest() async throws {
        try await SimulatorHarness.with(deployments: 5) { h in
            let response = try await RawHTTP(h).addFault(["endpoint": "nowhere", "status": 500])
            #expect(response.status == 400)
            #expect(await h.platform.takeFault(.deployments) == nil)
        }
    }
}
