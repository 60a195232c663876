import Foundation
import COpenBLAS
import Kernels
import Learner
import Corpus
import ConfigFiles
import Training

// Engine benchmark: sgemm peak and training-step throughput, measured in one
// run so the printed ratios are comparable on a shared machine.
// Usage: bench-engine [--steps N] [--configs S,M] [--vpt-only] [--rounds R] [--variants head:1,all:1,...] [--cpu-time]
// (--variants: the V-pretraining rows, align.params:feedback.every; --rounds: of the V-pretraining table;
// --cpu-time: time by the process's CPU clock, not the wall clock — with VSWEEP_THREADS=1 a measure of
// work that other processes on a busy machine disturb far less.)

nonisolated(unsafe) var clock = CLOCK_MONOTONIC

func now() -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

var steps = 6
var configNames = ["S", "M"]
var vptOnly = false
var vptRounds = 5
var variants: [(align: String, every: Int)] = [("head", 1), ("all", 1), ("head", 4), ("all", 4)]
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--steps": steps = Int(args.popFirst() ?? "") ?? steps
    case "--configs": configNames = (args.popFirst() ?? "S,M").split(separator: ",").map(String.init)
    case "--vpt-only": vptOnly = true
    case "--cpu-time": clock = CLOCK_PROCESS_CPUTIME_ID
    case "--rounds": vptRounds = max(1, Int(args.popFirst() ?? "") ?? vptRounds)
    case "--variants":
        variants = (args.popFirst() ?? "").split(separator: ",").compactMap { v in
            let parts = v.split(separator: ":")
            guard parts.count == 2, let every = Int(parts[1]), every >= 1 else { return nil }
            return (String(parts[0]), every)
        }
    default: FileHandle.standardError.write("unknown argument \(a)\n".data(using: .utf8)!); exit(2)
    }
}

/// Best-of-6 sgemm GFLOP/s on square n×n matrices, OpenBLAS on all kernel threads.
func sgemmPeak(n: Int) -> Double {
    openblas_set_num_threads(Int32(Parallel.threads))
    defer { openblas_set_num_threads(1) }
    let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
    for i in 0..<(n * n) { a[i] = Float(i % 13) * 0.01; b[i] = Float(i % 7) * 0.01 }
    var best = 0.0
    for _ in 0..<6 {
        let t0 = now()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a.base, Int32(n),
                    b.base, Int32(n), 0, c.base, Int32(n))
        let dt = now() - t0
        best = max(best, 2 * Double(n) * Double(n) * Double(n) / dt / 1e9)
    }
    return best
}

struct StepResult { var tokensPerSecond: Double; var gflops: Double; var msPerStep: Double; var ratio: Double; var peak: Double }

/// Rounds of (sgemm peak, then `steps` training steps) back to back, so each
/// ratio compares two measurements taken under the same machine conditions;
/// the median round is reported.
func benchTraining(_ config: GPTConfig, steps: Int, rounds: Int) throws -> StepResult {
    let model = try GPT(config: config, seed: 1)
    let opt = AdamWOptimizer(for: model, settings: OptimizerSettings())
    let B = config.batch, T = config.context
    var rng = Xoshiro256StarStar(seed: 3)
    let x = (0..<(B * T)).map { _ in Int32(rng.next() % 256) }
    let y = (0..<(B * T)).map { _ in Int32(rng.next() % 256) }
    func step() {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                _ = model.trainStep(tokens: xp.baseAddress!, targets: .tokens(yp.baseAddress!), batch: B, time: T,
                                    optimizer: opt, lr: 1e-4)
            }
        }
    }
    step(); step()
    var results: [StepResult] = []
    for _ in 0..<rounds {
        let peak = sgemmPeak(n: 1024)
        let t0 = now()
        for _ in 0..<steps { step() }
        let dt = (now() - t0) / Double(steps)
        let tps = Double(B * T) / dt
        let gflops = config.trainingFlopsPerToken(sequence: T) * tps / 1e9
        results.append(StepResult(tokensPerSecond: tps, gflops: gflops, msPerStep: dt * 1e3, ratio: gflops / peak, peak: peak))
    }
    return results.sorted { $0.ratio < $1.ratio }[rounds / 2]
}

BLASRuntime.ensureFastKernels()
let threads = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "(all cores)"
let rounds = 5
print("bench-engine: OpenBLAS core \(BLASRuntime.coreName), OPENBLAS_NUM_THREADS=\(threads), kernel threads \(Parallel.threads); \(rounds) rounds of (sgemm 1024² peak, \(steps) training steps), median round")
if !vptOnly { print("config  d_model layers heads ctx batch   params   ms/step   tokens/s   GFLOP/s  sgemm-peak  of-peak") }
for name in configNames where !vptOnly {
    let config: GPTConfig = name == "M" ? .medium : .small
    let r = try benchTraining(config, steps: steps, rounds: rounds)
    let params = ParameterLayout(config).count
    print(String(format: "%-6@  %7d %6d %5d %3d %5d %8d %9.1f %10.0f %9.1f %11.1f %8.2f", name as NSString,
                 config.dModel, config.nLayer, config.nHead, config.context, config.batch, params, r.msPerStep,
                 r.tokensPerSecond, r.gflops, r.peak, r.ratio))
}

/// Step time of the V-pretraining arm over the baseline step, same model, same
/// batch: g_down on a feedback minibatch (refreshed every update), the designer,
/// the tangent pass along g (all parameters or the head only), the learner step
/// on q. Median of `rounds` interleaved rounds (baseline steps, then vpt steps).
/// Also the mean feedback / tangent / designer milliseconds per vpt step over all rounds.
func vptRatio(_ config: GPTConfig, align: String, every: Int, steps: Int, rounds roundCount: Int) throws
    -> (ratio: Double, baselineMs: Double, vptMs: Double, parts: [String: Double]) {
    let doc = try ConfigDocument.parse(yaml: "base: none\ndata: none\narm: vpt\nbudget: {updates: 1}\nalign: {params: \(align)}\nfeedback: {batch: 8, every: \(every)}\n", source: "bench")
    let trial = try TrialConfig(document: doc)
    var modelConfig = config
    modelConfig.batch = max(config.batch, trial.feedback.batch)
    let model = try GPT(config: modelConfig, seed: 1)
    let opt = AdamWOptimizer(for: model, settings: OptimizerSettings())
    // GSM8K-shaped feedback examples of a typical length (~100 bytes).
    let feedback = (0..<64).map { i in
        DownstreamExample(id: "f\(i)", question: "Tom has \(i + 3) apples and buys \(i % 7 + 2) more bags of 4. How many apples now?",
                          answer: "He buys \((i % 7 + 2) * 4).\n#### \(i + 3 + (i % 7 + 2) * 4)", finalAnswer: "\(i + 3 + (i % 7 + 2) * 4)", family: "bench")
    }
    let B = config.batch, T = config.context
    let alignment = try ValueAlignment(config: trial, model: model, feedback: feedback, rows: B * T)
    var rng = Xoshiro256StarStar(seed: 5)
    let x = (0..<(B * T)).map { _ in Int32(rng.next() % 256) }
    let y = (0..<(B * T)).map { _ in Int32(rng.next() % 256) }
    var q = [Float](repeating: 0, count: B * T * config.vocab), mask = [UInt8](repeating: 1, count: B * T)
    var step = 0
    func baseline() {
        x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in
            _ = model.trainStep(tokens: xp.baseAddress!, targets: .tokens(yp.baseAddress!), batch: B, time: T, optimizer: opt, lr: 1e-4)
        } }
    }
    func vpt() {
        alignment.refreshIfDue(model: model, step: step)
        step += 1
        x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in
            q.withUnsafeMutableBufferPointer { qp in mask.withUnsafeMutableBufferPointer { mp in
                _ = model.softTargetStep(tokens: xp.baseAddress!, batch: B, time: T, q: qp.baseAddress!, mask: mp.baseAddress!,
                                         optimizer: opt, lr: 1e-4) { q, mask in
                    _ = alignment.design(model: model, targets: yp.baseAddress!, rows: B * T, q: q, mask: mask)
                }
            } }
        } }
    }
    baseline(); vpt()
    let before = alignment.timings
    var rounds: [(Double, Double)] = []
    for _ in 0..<roundCount {
        var t0 = now()
        for _ in 0..<steps { baseline() }
        let b = (now() - t0) / Double(steps)
        t0 = now()
        for _ in 0..<steps { vpt() }
        let v = (now() - t0) / Double(steps)
        rounds.append((b, v))
    }
    let mid = rounds.sorted { $0.1 / $0.0 < $1.1 / $1.0 }[rounds.count / 2]
    let vptSteps = Double(rounds.count * steps)
    let parts = alignment.timings.mapValues { $0 * 1e3 / vptSteps }.merging(before.mapValues { -$0 * 1e3 / vptSteps }, uniquingKeysWith: +)
    return (mid.1 / mid.0, mid.0 * 1e3, mid.1 * 1e3, parts)
}

print("\nV-pretraining step vs baseline step (feedback batch 8; median of \(vptRounds) interleaved rounds of \(steps) steps each; \(clock == CLOCK_MONOTONIC ? "wall clock" : "process CPU time"))")
print("config  align  g_down every  baseline ms   vpt ms   ratio   goal     (mean ms per vpt step: feedback tangent designer)")
for name in configNames {
    let config: GPTConfig = name == "M" ? .medium : .small
    for (align, every) in variants {
        let r = try vptRatio(config, align: align, every: every, steps: steps, rounds: vptRounds)
        print(String(format: "%-6@  %-5@  %12d %12.1f %8.1f %7.2f   %@   %8.1f %7.1f %8.1f", name as NSString, align as NSString, every,
                     r.baselineMs, r.vptMs, r.ratio, (align == "head" ? "<= 1.3" : "<= 2.0") as NSString,
                     r.parts["feedback", default: 0], r.parts["tangent", default: 0], r.parts["designer", default: 0]))
    }
}
print(String(format: "peak resident memory: %.0f MiB", peakRSSMiB()))
