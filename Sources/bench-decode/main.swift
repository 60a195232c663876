import Vocabulary
import Foundation
import Kernels
import Learner

// Decoding benchmark: greedy generation with the KV cache on config S
// (random-init weights, seeded), 64-byte prompts, 64 new tokens, at batch 1
// and 32, measured in one run so the printed ratios are comparable on a shared
// machine. Only generated tokens count; the prefill is timed separately.
// Usage: bench-decode [--reps N] [--batches 1,32] [--new N] [--prompt N]
// Threads: OPENBLAS_NUM_THREADS and VSWEEP_THREADS as for training. On a loaded
// machine OpenBLAS's threads (M = 32 sgemms are split) cost more than they give;
// compare with OPENBLAS_NUM_THREADS=1 VSWEEP_THREADS=1.

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// CPU seconds of this process, all threads: on a shared machine, time spent
/// descheduled does not count, so rates per CPU second show the code's own cost.
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
        .split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
}

BLASRuntime.ensureFastKernels()

var reps = 7
var batches = [1, 32]
var newTokens = 64
var promptBytes = 64
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--reps": reps = Int(args.popFirst() ?? "") ?? reps
    case "--batches": batches = (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--new": newTokens = Int(args.popFirst() ?? "") ?? newTokens
    case "--prompt": promptBytes = Int(args.popFirst() ?? "") ?? promptBytes
    default: FileHandle.standardError.write("unknown argument \(a)\n".data(using: .utf8)!); exit(2)
    }
}
/// Issue goals (generated tokens/s, config S, greedy, KV cache) and PyTorch eager's measured rates.
let goals: [Int: (goal: Double, torch: Double)] = [1: (2000, 690), 32: (9000, 7400)]

let config = GPTConfig.small
let model = try GPT(config: config, seed: 1)
let threads = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "(all cores)"
print("bench-decode: OpenBLAS core \(BLASRuntime.coreName), OPENBLAS_NUM_THREADS=\(threads), kernel threads \(Parallel.threads)")
print("config S (d_model \(config.dModel), \(config.nLayer) layers, \(config.nHead) heads, context \(config.context)), " +
      "prompt \(promptBytes) bytes, \(newTokens) new tokens, best of \(reps); load average at start: \(loadAverage())")

// One-row linear layers of the whole model (4 distinct weight sets, as in decoding,
// so they come from L3 like the real ones): sgemv against a one-row sgemm.
do {
    let C = config.dModel, L = config.nLayer
    let shapes = [(C, 3 * C), (C, C), (C, 4 * C), (4 * C, C)]
    let perLayer = shapes.reduce(0) { $0 + $1.0 * $1.1 }
    let w = FloatBuffer(count: L * perLayer + config.vocab * C), x = FloatBuffer(count: 4 * C)
    let b = FloatBuffer(count: 4 * C), y = FloatBuffer(count: 4 * C + config.vocab)
    for i in 0..<w.count { w[i] = Float(i % 17) * 0.01 }
    for i in 0..<x.count { x[i] = Float(i % 5) * 0.1 }
    typealias Linear = (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                        UnsafePointer<Float>?, Int, Int) -> Void
    let kinds: [(String, Linear)] = [
        ("sgemv", { DecodeLinear.sgemv($0, $1, $2, $3, $4, $5) }),
        ("sgemm", { Matmul.forward($0, $1, $2, $3, 1, $4, $5) }),
    ]
    var line = "one-row linears of all blocks + head, µs per token:"
    for (name, f) in kinds {
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = now()
            for _ in 0..<300 {
                var p = w.base
                for _ in 0..<L { for (c, oc) in shapes { f(y.base, x.base, p, b.base, c, oc); p += c * oc } }
                f(y.base, x.base, p, nil, C, config.vocab)
            }
            best = min(best, (now() - t0) / 300)
        }
        line += String(format: " %@ %.1f", name, best * 1e6)
    }
    print(line)
}

// Attention of 32 rows over 96 cached positions each (the cache of one layer at batch 32).
do {
    let C = config.dModel, NH = config.nHead, Tk = 128, Tv = 128, rows = 32, n = 96
    let keys = FloatBuffer(count: rows * C * Tk), values = FloatBuffer(count: rows * C * Tv)
    let q = FloatBuffer(count: C), out = FloatBuffer(count: C), scores = FloatBuffer(count: Tk)
    for i in 0..<keys.count { keys[i] = Float(i % 23) * 0.01; values[i] = Float(i % 19) * 0.01 }
    for i in 0..<C { q[i] = Float(i % 7) * 0.1 }
    typealias Kernel = (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Float>,
                        UnsafePointer<Float>, UnsafePointer<Float>, Int, Int, Int, Int, Int) -> Void
    let kinds: [(String, Kernel)] = [
        ("swift", { DecodeAttention.forward($0, $1, $2, $3, $4, $5, $6, $7, $8, $9) }),
    ]
    var line = "attention, 32 rows x 96 positions, one layer, µs:"
    for (name, f) in kinds {
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = now()
            for _ in 0..<50 {
                for r in 0..<rows {
                    f(out.base, scores.base, q.base, keys.base + r * C * Tk, values.base + r * C * Tv, n, Tk, Tv, C, NH)
                }
            }
            best = min(best, (now() - t0) / 50)
        }
        line += String(format: " %@ %.1f", name, best * 1e6)
    }
    print(line)
}

print("batch  prefill-ms  prefill-tok/s  decode-tok/s  end-to-end-tok/s  goal  decode/goal  decode/torch  |  per CPU-second: decode-tok/s  decode/goal")
var rng = Xoshiro256StarStar(seed: 5)
for B in batches {
    let prompts = (0..<B).map { _ in (0..<promptBytes).map { _ in UInt8(rng.next() % 256) } }
    let dec = try GreedyDecoder(model: model, maxBatch: B)
    _ = try dec.generate(prompts: prompts, maxNewTokens: newTokens)  // warm-up
    var prefill: [Double] = [], full: [Double] = [], prefillCPU: [Double] = [], fullCPU: [Double] = []
    var generated = 0
    for _ in 0..<reps {
        var t0 = now(), c0 = cpuNow()
        _ = try dec.generate(prompts: prompts, maxNewTokens: 1)
        prefill.append(now() - t0); prefillCPU.append(cpuNow() - c0)
        t0 = now(); c0 = cpuNow()
        let out = try dec.generate(prompts: prompts, maxNewTokens: newTokens)
        full.append(now() - t0); fullCPU.append(cpuNow() - c0)
        generated = out.reduce(0) { $0 + $1.count }
    }
    // prefill = the run that reads the prompts and yields each first token; decode = the rest
    // best of the repetitions: on a shared machine the fastest run is the least disturbed one
    let tp = prefill.min()!, tf = full.min()!
    let decodeRate = Double(generated - B) / max(tf - tp, 1e-9)
    let decodeCPURate = Double(generated - B) / max(fullCPU.min()! - prefillCPU.min()!, 1e-9)
    let endToEnd = Double(generated) / tf
    let g = goals[B]
    func ratio(_ x: Double, _ y: Double?) -> String { y.map { String(format: "%.2f", x / $0) } ?? "-" }
    print(String(format: "%5d  %10.2f  %13.0f  %12.0f  %16.0f  %4@  %11@  %12@  |  %27.0f  %11@", B, tp * 1e3,
                 Double(B * promptBytes) / tp, decodeRate, endToEnd,
                 g.map { String(format: "%.0f", $0.goal) } ?? "-", ratio(decodeRate, g?.goal),
                 ratio(decodeRate, g?.torch), decodeCPURate, ratio(decodeCPURate, g?.goal)))
}
print("load average at end: \(loadAverage())")
