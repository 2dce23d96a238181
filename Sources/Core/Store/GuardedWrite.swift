/// The guarded write (DESIGN.md §3) as one rule for every backend: a stored row is overwritten
/// only when it has no time, or an older one than the write; a write without a time never proves
/// that it is newer (SQL's `stored < NULL` is not true).
enum GuardedWrite {
    static func overwrites(stored: Timestamp?, incoming: Timestamp?) -> Bool {
        guard let stored else { return true }
        guard let incoming else { return false }
        return stored < incoming
    }
}
