import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's hold on memory that glibc's allocator keeps after it was freed.
///
/// glibc gives each thread that allocates while another holds the lock an arena of its own, up to
/// eight per core (mallopt(3), `M_ARENA_MAX`), and keeps what is freed in an arena for reuse. A
/// daemon whose polls, store writes and libcurl loop run on a dozen threads ended its first cycle
/// over 100,000 accounts with fifteen arenas of 64 MiB each resident (1 GiB), most of it free.
/// Both functions reach glibc through `dlsym(3)`: the Glibc module does not export <malloc.h>.
public enum ProcessMemory {
    /// Arenas allowed when the environment does not set `MALLOC_ARENA_MAX`: two per core, at most
    /// eight; threads then share them. One per core (2 on the project's 2-core machine) made the
    /// first cycle's threads wait on the arenas' locks: a 40,000-feed first cycle spent 8% of its
    /// CPU in `futex` calls from `malloc` and `free`, and took 95.6 and 98.0 s of CPU against
    /// 78.6 and 84.6 s with four arenas, peak RSS 180 against 191 to 199 MiB (README, Benchmark).
    public static let arenaLimit = Int32(min(8, 2 * max(1, ProcessInfo.processInfo.activeProcessorCount)))

    /// How often the running daemon gives freed memory back, in seconds.
    public static let trimPeriod: Double = 300

    /// Caps glibc's arenas at ``arenaLimit`` unless `MALLOC_ARENA_MAX` is set (the operator's
    /// choice wins). Call it first thing, before other threads allocate: arenas made before stay.
    public static func limitArenas() {
        #if canImport(Glibc)
            guard getenv("MALLOC_ARENA_MAX") == nil, let symbol = dlsym(nil, "mallopt") else { return }
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let arenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>
            _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, Self.arenaLimit)
        #endif
    }

    /// Gives the memory freed in every arena back to the system (`malloc_trim(3)` with no pad).
    /// Loading a large config (the TOML tree of 100,000 accounts, then their checks) and reading
    /// every account at start-up free far more than the daemon then keeps.
    public static func returnFreed() {
        #if canImport(Glibc)
            // RTLD_DEFAULT is the null handle on Linux.
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(nil, "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
