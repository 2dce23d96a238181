import Foundation
import GRDB
import Logging
import PostgresNIO
import TestSupport

/// What the database itself needs to carry a change from one connection to another: on SQLite a
/// bare commit on one connection then a read of it on another; on PostgreSQL a `NOTIFY` on one
/// connection until a `LISTEN`ing one receives it.
enum HubFloor {
    static let rounds = 1000

    static func measure(_ backend: HubBackend, postgres: PostgresServer, _ dir: TemporaryDirectory) async throws -> [Double] {
        switch backend {
        case .sqlite: try sqlite(dir.file("floor.db"))
        case .postgres: try await notifyRoundTrips(port: postgres.port)
        }
    }

    static func sqlite(_ path: String) throws -> [Double] {
        let writer = try ReferenceSync.open(path)
        try writer.write { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS floor(id INTEGER PRIMARY KEY, at INTEGER NOT NULL)")
        }
        let reader = try ReferenceSync.open(path)
        var samples: [Double] = []
        for i in 1...rounds {
            let start = ContinuousClock.now
            try writer.write { db in try db.execute(sql: "INSERT INTO floor(id, at) VALUES (?, ?)", arguments: [i, i]) }
            let seen = try reader.read { db in try Int.fetchOne(db, sql: "SELECT at FROM floor WHERE id = ?", arguments: [i]) }
            guard seen == i else { throw BenchError("floor: row \(i) not visible after commit") }
            samples.append((ContinuousClock.now - start).seconds * 1000)
        }
        return samples
    }

    static func notifyRoundTrips(port: Int) async throws -> [Double] {
        let config = PostgresConnection.Configuration(
            host: "127.0.0.1", port: port, username: "postgres", password: nil, database: "postgres", tls: .disable)
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let listener = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
        let sender = try await PostgresConnection.connect(configuration: config, id: 2, logger: logger)
        defer {
            Task {
                try? await listener.close()
                try? await sender.close()
            }
        }
        return try await listener.listen(on: "gwops_bench_floor") { notifications in
            var iterator = notifications.makeAsyncIterator()
            var samples: [Double] = []
            for i in 1...rounds {
                let start = ContinuousClock.now
                try await sender.query("SELECT pg_notify('gwops_bench_floor', \(String(i)))", logger: logger)
                guard let n = try await iterator.next(), n.payload == String(i) else { throw BenchError("floor: NOTIFY \(i) lost") }
                samples.append((ContinuousClock.now - start).seconds * 1000)
            }
            return samples
        }
    }
}
