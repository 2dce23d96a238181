import Foundation

/// How values become stored words and back, on every backend: a word this gwops does not know (a
/// newer gwops wrote it, or someone edited the database) is never read as something else; the
/// read fails, naming the table, the row and the word.
enum StoredValue {
    /// `T(rawValue: word)`, or `corruptRow` ("unknown status \"zombie\"").
    static func decode<T: RawRepresentable>(_ word: String, as type: T.Type, column: String, table: String, key: String) throws -> T
    where T.RawValue == String {
        guard let value = T(rawValue: word) else {
            throw StorageError.corruptRow(table: table, key: key, reason: "unknown \(column) \"\(word)\"")
        }
        return value
    }

    /// `value` as JSON text with sorted keys (sync run counters and errors).
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// JSON text read back, or `corruptRow` naming the column.
    static func decodeJSON<T: Decodable>(_ text: String, as type: T.Type, column: String, table: String, key: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StorageError.corruptRow(table: table, key: key, reason: "\(column) is not the JSON this gwops writes")
        }
    }
}
