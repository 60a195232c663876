import Foundation

/// Splits row loops across the machine's cores. Every kernel that uses it gives
/// each row the same arithmetic whatever the split, so results do not depend on
/// the number of threads; reductions across rows stay sequential for the same reason.
public enum Parallel {
    /// Threads used by every kernel, matmuls included: `VSWEEP_THREADS`, else
    /// `OPENBLAS_NUM_THREADS` (the scheduler's per-trial thread setting), else
    /// the core count.
    public static let threads: Int = {
        let env = ProcessInfo.processInfo.environment
        for key in ["VSWEEP_THREADS", "OPENBLAS_NUM_THREADS"] {
            if let s = env[key], let n = Int(s), n >= 1 { return n }
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Runs `body` over contiguous chunks of `0..<n`, in parallel when there is
    /// at least `grain` work per thread.
    @inline(__always)
    public static func forRows(_ n: Int, grain: Int = 16, _ body: (Range<Int>) -> Void) {
        let t = min(threads, n / max(grain, 1))
        if t <= 1 { body(0..<n); return }
        let chunk = (n + t - 1) / t
        withoutActuallyEscaping(body) { body in
            let work = RowWork(body: body)
            DispatchQueue.concurrentPerform(iterations: t) { i in
                let lo = i * chunk, hi = min(n, lo + chunk)
                if lo < hi { work.body(lo..<hi) }
            }
        }
    }
}

extension Parallel {
    /// Runs `body(chunk, range)` over at most `threads` contiguous chunks of
    /// `0..<n`; `chunk` indexes per-thread scratch.
    @inline(__always)
    public static func forChunks(_ n: Int, _ body: (Int, Range<Int>) -> Void) {
        let t = min(threads, n)
        if t <= 1 { body(0, 0..<n); return }
        let chunk = (n + t - 1) / t
        withoutActuallyEscaping(body) { body in
            let work = ChunkWork(body: body)
            DispatchQueue.concurrentPerform(iterations: t) { i in
                let lo = i * chunk, hi = min(n, lo + chunk)
                if lo < hi { work.body(i, lo..<hi) }
            }
        }
    }
}

/// As `RowWork`: each thread gets its own chunk index and rows.
private struct ChunkWork: @unchecked Sendable {
    let body: (Int, Range<Int>) -> Void
}

/// Kernels hand disjoint row ranges of raw buffers to each thread; the closure
/// is not Sendable in the type system, but no two threads touch the same rows.
private struct RowWork: @unchecked Sendable {
    let body: (Range<Int>) -> Void
}
