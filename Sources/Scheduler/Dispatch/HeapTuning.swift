#if canImport(CMalloc)
import CMalloc
#endif

/// Keeps the top of the scheduler's heap mapped between loop turns. With glibc's
/// defaults (trim above 128 KiB, no padding) the allocations of one report batch —
/// GRDB statements, SQLite's page cache, decoded events — grew the heap with `brk`
/// and freeing them trimmed it again, so the next batch took fresh page faults: in
/// `bench-scheduler` that cost a third of the CPU per report (0.050 ms against 0.033
/// ms with the heap kept; docs/benchmarks.md). A few MiB stay mapped instead.
enum HeapTuning {
    /// Trimming starts above this much free memory at the heap's top.
    static let trimThresholdBytes: Int32 = 16 << 20
    /// Extra room asked for at each `brk`.
    static let topPadBytes: Int32 = 4 << 20

    /// Process-wide and idempotent; called when a sweep starts running.
    static func keepHeapTop() {
        #if canImport(CMalloc)
        _ = applied
        #endif
    }

    #if canImport(CMalloc)
    private static let applied: Bool = {
        mallopt(M_TRIM_THRESHOLD, trimThresholdBytes) == 1 && mallopt(M_TOP_PAD, topPadBytes) == 1
    }()
    #endif
}
