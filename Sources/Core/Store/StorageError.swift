/// Failures of the local store, with the context an operator needs: every one names the store
/// (a file path, or a PostgreSQL URL without its password) and says why in words.
public enum StorageError: Error, Equatable, CustomStringConvertible {
    /// The database could not be opened or migrated.
    case open(location: String, reason: String)
    /// The store belongs to another gateway.
    case wrongGateway(location: String, stored: String, configured: String)
    /// A query failed. Code that cannot know the store leaves `location` empty; the store's
    /// transaction wrappers fill it in.
    case query(location: String = "", operation: String, reason: String)
    /// A stored value could not be read back.
    case corruptRow(location: String = "", table: String, key: String, reason: String)
    /// A write through a store opened read-only (a read-only session): refused, nothing changed.
    case readOnly(location: String, operation: String)

    public var description: String {
        switch self {
        case .open(let location, let reason):
            "cannot open store \(location): \(reason)"
        case .wrongGateway(let location, let stored, let configured):
            "store \(location) belongs to gateway \"\(stored)\", not \"\(configured)\"; point [store] at this gateway's database"
        case .query(let location, let operation, let reason):
            location.isEmpty ? "store \(operation) failed: \(reason)" : "store \(location): \(operation) failed: \(reason)"
        case .corruptRow(let location, let table, let key, let reason):
            "unreadable row in \(table) (\(key))\(location.isEmpty ? "" : " of store \(location)"): \(reason)"
        case .readOnly(let location, let operation):
            "store \(location) is open read-only (read-only session): \(operation) was refused; nothing was changed"
        }
    }

    /// This error with the store's location filled in where the code that threw it did not know it.
    func located(at location: String) -> StorageError {
        switch self {
        case .query("", let operation, let reason): .query(location: location, operation: operation, reason: reason)
        case .corruptRow("", let table, let key, let reason): .corruptRow(location: location, table: table, key: key, reason: reason)
        default: self
        }
    }

    /// Runs `body` with its failures as this store's: a `StorageError` located here, cancellation
    /// as it is, anything else as `other` words it.
    static func mapping<T>(at location: String, other: (Error) -> StorageError, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StorageError {
            throw error.located(at: location)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw other(error)
        }
    }
}
