#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open descriptors.
public enum OpenFiles {
    /// Raises the soft limit to the hard one: a server of many connections (the control socket
    /// under a flood) must not run out at the 1024 most systems start a process with.
    public static func raiseToHardLimit() {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }
}
