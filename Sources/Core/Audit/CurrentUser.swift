#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func currentUID() -> UInt32 { getuid() }
