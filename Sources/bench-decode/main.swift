import Foundation
import Kernels
import Learner

// Decoding benchmark: greedy generation with the KV cache on config S
// (random-init weights, seeded), 64-byte prompts, 64 new tokens, at batch 1
// and 32, measured in one run so the printed ratios are comparable on a shared
// machine. Only generated tokens count; the prefill is timed separately.
// Usage: bench-decode [--reps N] [--batches 1,32] [--new N] [--prompt N]

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
        .split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
}

BLASRuntime.ensureFastKernels()

var reps = 5
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
      "prompt \(promptBytes) bytes, \(newTokens) new tokens, median of \(reps); load average at start: \(loadAverage())")

// One-row linear layers: the sgemv path DecodeLinear takes against a one-row sgemm.
do {
    let C = config.dModel
    let shapes = [(C, 3 * C), (C, C), (C, 4 * C), (4 * C, C), (C, config.vocab)]
    let w = FloatBuffer(count: 4 * C * C + config.vocab * C), x = FloatBuffer(count: 4 * C)
    let b = FloatBuffer(count: 4 * C), y = FloatBuffer(count: 4 * C + config.vocab)
    for i in 0..<w.count { w[i] = Float(i % 17) * 0.01 }
    var gemv = 0.0, gemm = 0.0
    let iters = 2000
    for _ in 0..<3 {
        var t0 = now()
        for _ in 0..<iters { for (c, oc) in shapes { DecodeLinear.forward(y.base, x.base, w.base, b.base, 1, c, oc) } }
        let a = now() - t0
        t0 = now()
        for _ in 0..<iters { for (c, oc) in shapes { Matmul.forward(y.base, x.base, w.base, b.base, 1, c, oc) } }
        let m = now() - t0
        gemv = gemv == 0 ? a : min(gemv, a); gemm = gemm == 0 ? m : min(gemm, m)
    }
    print(String(format: "one-row linears of a block + head: sgemv %.2f µs, sgemm %.2f µs per set", gemv / Double(iters) * 1e6,
                 gemm / Double(iters) * 1e6))
}

print("batch  prefill-ms  prefill-tok/s  decode-tok/s  end-to-end-tok/s  goal  decode/goal  decode/torch")
var rng = SeededRandom(seed: 5)
for B in batches {
    let prompts = (0..<B).map { _ in (0..<promptBytes).map { _ in UInt8(rng.next() % 256) } }
    let dec = try GreedyDecoder(model: model, maxBatch: B)
    _ = try dec.generate(prompts: prompts, maxNewTokens: newTokens)  // warm-up
    var prefill: [Double] = [], full: [Double] = []
    var generated = 0
    for _ in 0..<reps {
        var t0 = now()
        _ = try dec.generate(prompts: prompts, maxNewTokens: 1)
        prefill.append(now() - t0)
        t0 = now()
        let out = try dec.generate(prompts: prompts, maxNewTokens: newTokens)
        full.append(now() - t0)
        generated = out.reduce(0) { $0 + $1.count }
    }
    // prefill = the run that reads the prompts and yields each first token; decode = the rest
    let tp = median(prefill), tf = median(full)
    let decodeRate = Double(generated - B) / max(tf - tp, 1e-9)
    let endToEnd = Double(generated) / tf
    let g = goals[B]
    print(String(format: "%5d  %10.2f  %13.0f  %12.0f  %16.0f  %4@  %11@  %12@", B, tp * 1e3,
                 Double(B * promptBytes) / tp, decodeRate, endToEnd,
                 g.map { String(format: "%.0f", $0.goal) } ?? "-",
                 g.map { String(format: "%.2f", decodeRate / $0.goal) } ?? "-",
                 g.map { String(format: "%.2f", decodeRate / $0.torch) } ?? "-"))
}
print("load average at end: \(loadAverage())")
