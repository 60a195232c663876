// Simple regret of the samplers on Branin and Hartmann6.
//
// Protocol: for each sampler × function × seed 0..<20, run 100 sequential trials
// (each trial sees every earlier trial as finished), and record the simple regret
// (best objective so far − known minimum) after 25, 50 and 100 trials. Print, per
// cell, the median and the interquartile range (25th–75th percentile, linear
// interpolation as numpy's default) over the 20 seeds.
//
// Usage: bench-search [--seeds N] [--first-seed N] [--trials N]
import Foundation
import Search

struct Options {
    static func exitWithUsage(_ problem: String) -> Never {
        FileHandle.standardError.write(Data("bench-search: \(problem)\nusage: bench-search [--seeds N] [--first-seed N] [--trials N]\n".utf8))
        exit(2)
    }

    var seeds = 20
    var firstSeed = 0
    var trials = 100

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst().makeIterator()
        while let flag = rest.next() {
            guard let text = rest.next(), let value = Int(text), value >= 0 else {
                Options.exitWithUsage("bad value after \(flag)")
            }
            switch flag {
            case "--seeds": seeds = value
            case "--first-seed": firstSeed = value
            case "--trials": trials = value
            default: Options.exitWithUsage("unknown flag \(flag)")
            }
        }
        if seeds < 1 || trials < 1 { Options.exitWithUsage("--seeds and --trials must be >= 1") }
    }
}

let options = Options(CommandLine.arguments)
let checkpoints = [25, 50, 100].filter { $0 <= options.trials }

func variant(_ spec: String) -> (name: String, make: @Sendable (UInt64) -> any Sampler) {
    var fields = spec.split(separator: ";").map(String.init)
    let name = fields.removeFirst()
    let settings = fields
    let make: @Sendable (UInt64) -> any Sampler = { seed in
        var halton = false, startup = 10, candidates = 64, clip = 1.25, prior = 1.0, multivariate = true
        var bw = TPESampler.BandwidthRule.neighbourGap, good = TPESampler.GoodRule.linear(0.1)
        var uniform = false, minBW = 0.0, sampleBW = 1.0, ends = false
        for field in settings {
            let kv = field.split(separator: "=").map(String.init)
            let v = kv[1]
            switch kv[0] {
            case "cand": candidates = Int(v)!
            case "start": startup = Int(v)!
            case "halton": halton = v == "1"
            case "clip": clip = Double(v)!
            case "prior": prior = Double(v)!
            case "mv": multivariate = v == "1"
            case "bw": bw = v == "scott" ? .scott : v == "optuna4" ? .optuna4 : .neighbourGap
            case "ends": ends = v == "1"
            case "lin": good = .linear(Double(v)!)
            case "sqrt": good = .sqrt(Double(v)!)
            case "uniform": uniform = v == "1"
            case "minbw": minBW = Double(v)!
            case "sbw": sampleBW = Double(v)!
            default: fatalError("bad field \(field)")
            }
        }
        var t = try! TPESampler(seed: seed, startupTrials: startup, candidateCount: candidates, priorWeight: prior, clipExponent: clip, multivariate: multivariate)
        t.bandwidth = bw; t.goodRule = good; t.uniformWeights = uniform; t.minBandwidthFactor = minBW
        t.samplingBandwidthFactor = sampleBW
        t.considerEndpoints = ends
        t.haltonStartup = halton
        return t
    }
    return (name, make)
}

let variantSpecs = ProcessInfo.processInfo.environment["BENCH_VARIANTS"].map { $0.split(separator: "|").map { variant(String($0)) } }
let onlyFunction = ProcessInfo.processInfo.environment["BENCH_FUNCTION"]

let standardSamplers: [(name: String, make: @Sendable (UInt64) -> any Sampler)] = [
    ("random", { RandomSampler(seed: $0) }),
    ("halton", { HaltonSampler(seed: $0) }),
    ("tpe", { try! TPESampler(seed: $0) }),
    ("tpe, Optuna 5.0 settings", { try! TPESampler(seed: $0, candidateCount: 24, clipExponent: 1) }),
    ("tpe, independent", { try! TPESampler(seed: $0, multivariate: false) }),
]
let samplers = variantSpecs ?? standardSamplers
let functions: [BenchmarkFunction] = [.branin, .hartmann6].filter { onlyFunction == nil || $0.name == onlyFunction }

/// Regret after each checkpoint for one run.
func run(_ sampler: any Sampler, on function: BenchmarkFunction) -> [Double] {
    var history: [Observation] = []
    var best = Double.infinity
    var regrets: [Double] = []
    for trial in 0..<options.trials {
        let params = try! sampler.sample(space: function.space, trialNumber: trial, history: history)!
        let value = function(params)
        best = min(best, value)
        history.append(Observation(trialNumber: trial, params: params, state: .finished(objective: value)))
        if checkpoints.contains(trial + 1) { regrets.append(best - function.minimum) }
    }
    return regrets
}

/// Per-seed results written from concurrent workers, each to its own slot.
final class ResultBox: @unchecked Sendable {  // Safe: a lock guards every access to `slots`.
    private var slots: [[Double]]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ i: Int, _ value: [Double]) { lock.lock(); slots[i] = value; lock.unlock() }
    var values: [[Double]] { lock.lock(); defer { lock.unlock() }; return slots }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    let position = p * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
}

func format(_ x: Double) -> String { String(format: "%.4f", x) }

print("simple regret, median [IQR] over \(options.seeds) seeds, \(options.trials) trials")
print("| function | sampler | " + checkpoints.map { "n=\($0)" }.joined(separator: " | ") + " | seconds |")
print("|---|---|" + checkpoints.map { _ in "---|" }.joined() + "---|")
for function in functions {
    for sampler in samplers {
        let start = Date()
        let box = ResultBox(count: options.seeds)
        DispatchQueue.concurrentPerform(iterations: options.seeds) { i in
            box.set(i, run(sampler.make(UInt64(options.firstSeed + i)), on: function))
        }
        let runs = box.values
        if let dump = ProcessInfo.processInfo.environment["BENCH_DUMP"] {
            let text = runs.map { $0.map { String($0) }.joined(separator: " ") }.joined(separator: "\n")
            try! text.write(toFile: "\(dump)-\(function.name)-\(sampler.name).txt", atomically: true, encoding: .utf8)
        }
        let seconds = Date().timeIntervalSince(start)
        let cells = checkpoints.indices.map { c -> String in
            let values = runs.map { $0[c] }.sorted()
            return "\(format(percentile(values, 0.5))) [\(format(percentile(values, 0.25)))–\(format(percentile(values, 0.75)))]"
        }
        print("| \(function.name) | \(sampler.name) | " + cells.joined(separator: " | ") + " | \(String(format: "%.1f", seconds)) |")
    }
}
