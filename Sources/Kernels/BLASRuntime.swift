import Foundation
import COpenBLAS

@_silgen_name("openblas_get_corename") private func openblas_get_corename() -> UnsafeMutablePointer<CChar>?

/// OpenBLAS kernel selection. Debian 12's OpenBLAS 0.3.21 (DYNAMIC_ARCH) does
/// not recognise recent Xeons (e.g. model 0xCF) and falls back to its SSE3
/// "Prescott" kernels, about 6x slower than its AVX-512 ones on the same CPU.
/// The choice is made when the library loads, so the only remedy is to set
/// OPENBLAS_CORETYPE and re-execute the process before any work starts.
public enum BLASRuntime {
    /// The kernel family OpenBLAS picked for this process.
    public static var coreName: String {
        openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// The core type this CPU can use when OpenBLAS fell back to Prescott, or nil.
    public static func betterCoreType(cpuFlags: Set<String>, current: String) -> String? {
        guard current == "Prescott" else { return nil }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// Re-executes the current program with OPENBLAS_CORETYPE set when OpenBLAS
    /// fell back to generic kernels on a CPU that has AVX-512 or AVX2. Does
    /// nothing when the user set OPENBLAS_CORETYPE (their choice stands) or
    /// when VSWEEP_NO_BLAS_REEXEC is set. Call first thing in `main`.
    public static func ensureFastKernels() {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["VSWEEP_NO_BLAS_REEXEC"] == nil,
              let core = betterCoreType(cpuFlags: cpuFlags(), current: coreName) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("VSWEEP_NO_BLAS_REEXEC", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached if exec failed: keep running on the slow kernels.
        FileHandle.standardError.write("vsweep: could not re-execute with OPENBLAS_CORETYPE=\(core) (\(String(cString: strerror(errno)))); continuing with \(coreName) kernels\n".data(using: .utf8)!)
    }
}

/// vsweep splits every matmul over its own threads (`Parallel`), so OpenBLAS
/// runs single-threaded: its idle worker threads otherwise spin in sched_yield
/// against ours on the same cores (measured: ~17% of a training step).
public enum BLASThreads {
    private static let once: Void = { openblas_set_num_threads(1) }()

    @inline(__always) public static func ensureSingleThreaded() { _ = once }
}
