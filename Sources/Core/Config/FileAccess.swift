import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file's owner and permission bits, as an operator needs them when a file cannot be read:
/// "owner gwops, mode 0600".
public struct FileOwnership: Sendable, Equatable {
    /// The owner's user name, or `uid N` when the user database does not know it.
    public var owner: String
    /// Permission bits (`st_mode & 0o7777`).
    public var mode: Int

    public init(owner: String, mode: Int) {
        self.owner = owner
        self.mode = mode
    }

    /// The owner and mode of `path` (of a symlink's target, as `open` sees it); nil when it
    /// cannot be stat'ed.
    public init?(of path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(owner: FileAccess.userName(info.st_uid), mode: Int(info.st_mode) & 0o7777)
    }

    /// `0600`
    public var octalMode: String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `owner gwops, mode 0600`
    public var summary: String { "owner \(owner), mode \(octalMode)" }
}

/// Why a file cannot be read, in words: which file (or which directory on the way), its owner
/// and mode, and who is asking. Never an encoding or library error for a permission problem.
public enum FileAccess {
    /// The user this process runs as.
    public static var currentUser: String { userName(geteuid()) }

    /// `uid`'s user name, or `uid N`.
    public static func userName(_ uid: uid_t) -> String {
        knownUserName(uid) ?? "uid \(uid)"
    }

    /// `uid`'s name in the password database, nil when it has none.
    static func knownUserName(_ uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        let size = 4096
        var buffer = [CChar](repeating: 0, count: size)
        guard getpwuid_r(uid, &entry, &buffer, size, &result) == 0, let found = result, let name = found.pointee.pw_name else {
            return nil
        }
        return String(validatingCString: name)
    }

    /// `permission denied reading PATH (owner gwops, mode 0600; running as alice)`.
    public static func permissionDenied(_ action: String, _ path: String, _ ownership: FileOwnership?, user: String = FileAccess.currentUser) -> String {
        let facts = [ownership?.summary, "running as \(user)"].compactMap { $0 }.joined(separator: "; ")
        return "permission denied \(action) \(path) (\(facts))"
    }

    /// Why this process cannot read `path`, or nil when it can: the directory on the way that
    /// it may not enter, else the file it may not read, each with owner and mode. `noun` names
    /// the file's role in the sentence ("key file").
    public static func readProblem(_ path: String, noun: String = "") -> String? {
        if access(path, R_OK) == 0 { return nil }
        let code = errno
        let named = noun.isEmpty ? path : "\(noun) \(path)"
        switch code {
        case EACCES:
            if let directory = unsearchableDirectory(above: path) {
                return permissionDenied("entering directory", directory, FileOwnership(of: directory)) + " on the way to \(named)"
            }
            return permissionDenied("reading", named, FileOwnership(of: path))
        case ENOENT:
            return "\(named) does not exist"
        default:
            return "\(named) cannot be read (\(String(cString: strerror(code))))"
        }
    }

    /// Why this process cannot create files in `directory`, or nil when it can.
    public static func writeProblem(directory: String) -> String? {
        if access(directory, W_OK | X_OK) == 0 { return nil }
        let code = errno
        switch code {
        case EACCES: return permissionDenied("creating files in", directory, FileOwnership(of: directory))
        case EROFS: return "\(directory) is on a read-only file system"
        default: return "\(directory) cannot be written (\(String(cString: strerror(code))))"
        }
    }

    /// The first directory above `path`, from the root down, that this process may not search.
    static func unsearchableDirectory(above path: String) -> String? {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var directories: [String] = []
        var current = (absolute as NSString).deletingLastPathComponent
        while !current.isEmpty {
            directories.append(current)
            if current == "/" { break }
            current = (current as NSString).deletingLastPathComponent
        }
        return directories.reversed().first { access($0, X_OK) != 0 }
    }
}
