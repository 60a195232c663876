import EventLoop
import Executors
#if canImport(Glibc)
import Glibc
#endif

/// CPU time consumed by the calling thread (`CLOCK_THREAD_CPUTIME_ID`), in
/// nanoseconds. The scheduler's loop is single-threaded, so this is the scheduler's own
/// work, excluding time spent waiting for the kernel to give it a CPU.
final class ThreadCPUClock: MonotonicClock {
    var nanoseconds: UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
