import Core
import Foundation
import GRDB

/// What SQLite itself can do: the same artifact rows and content inserted into the same schema
/// with one prepared statement in one transaction.
enum StorageFloor {
    static let columns = [
        "uuid", "handle", "display_name", "version", "kind", "desired_state", "deployment_id", "deployed_at", "origin",
        "content", "content_sha256", "updated_at",
    ]

    typealias Row = [DatabaseValue]

    /// Every artifact row of a store, in column order.
    static func load(from path: String) throws -> [Row] {
        try ReferenceSync.open(path).read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT \(columns.joined(separator: ", ")) FROM artifacts").map { row in
                columns.map { row[$0] as DatabaseValue }
            }
        }
    }

    /// `fraction` of the rows with a new deployment id, time and content (a 5% resync).
    static func changed(_ rows: [Row], fraction: Double, salt: Int) -> [Row] {
        let step = max(1, Int(1 / fraction))
        return stride(from: salt % step, to: rows.count, by: step).map { i in
            var row = rows[i]
            row[6] = "redeploy-\(salt)-\(i)".databaseValue
            row[7] = Timestamp.now.microseconds.databaseValue
            row[9] = ((String.fromDatabaseValue(row[9]) ?? "") + "\n# revision \(salt)").databaseValue
            return row
        }
    }

    /// Inserts (or replaces) `rows` into the store at `path`, creating it first; returns the
    /// seconds the transaction took.
    static func insert(_ rows: [Row], into path: String, replacing: Bool = false) throws -> Double {
        if !FileManager.default.fileExists(atPath: path) {
            _ = try SQLiteStore(path: path, gatewayId: "gw-bench")
        }
        let queue = try ReferenceSync.open(path)
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let verb = replacing ? "INSERT OR REPLACE" : "INSERT"
        let start = ContinuousClock.now
        try queue.inTransaction { db in
            let statement = try db.makeStatement(sql: "\(verb) INTO artifacts(\(columns.joined(separator: ", "))) VALUES (\(placeholders))")
            for row in rows {
                try statement.execute(arguments: StatementArguments(row))
            }
            return .commit
        }
        return (ContinuousClock.now - start).seconds
    }
}
