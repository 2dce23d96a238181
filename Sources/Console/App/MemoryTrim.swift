/// Gives freed heap pages back to the system after a large transient allocation (a full platform
/// listing of 100,000 deployments), so the console's resident size reflects what it keeps.
enum MemoryTrim {
    static func releaseFreePages() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }
}

#if os(Linux)
/// glibc's `malloc_trim` (declared in <malloc.h>, which the Glibc module does not import).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
