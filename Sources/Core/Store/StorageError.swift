/// Failures of the local store, with the context an operator needs.
public enum StorageError: Error, Equatable, CustomStringConvertible {
    /// The database could not be opened or migrated.
    case open(location: String, reason: String)
    /// The store belongs to another gateway.
    case wrongGateway(location: String, stored: String, configured: String)
    /// A query failed.
    case query(operation: String, reason: String)
    /// A stored value could not be read back.
    case corruptRow(table: String, key: String, reason: String)

    public var description: String {
        switch self {
        case .open(let location, let reason):
            "cannot open store \(location): \(reason)"
        case .wrongGateway(let location, let stored, let configured):
            "store \(location) belongs to gateway \"\(stored)\", not \"\(configured)\"; point [store] at this gateway's database"
        case .query(let operation, let reason):
            "store \(operation) failed: \(reason)"
        case .corruptRow(let table, let key, let reason):
            "unreadable row in \(table) (\(key)): \(reason)"
        }
    }
}
