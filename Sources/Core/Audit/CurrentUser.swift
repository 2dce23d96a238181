#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func currentUID() -> UInt32 { getuid() }

/// The login name of the current user from the password database.
func currentUserName() -> String? {
    FileAccess.knownUserName(getuid())
}
