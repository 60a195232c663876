// Simple regret of the samplers on Branin and Hartmann6.
//
// Protocol: for each sampler × function × seed 0..<20, run 100 sequential trials
// (each trial sees every earlier trial as finished), and record the simple regret
// (best objective so far − known minimum) after 25, 50 and 100 trials. Print, per
// cell, the median and the interquartile range (25th–75th percentile, linear
// interpolation as numpy's default) over the seeds. Seeds run in parallel; each run
// is a pure function of its seed, so the table does not depend on scheduling.
//
// With --noise SD every sampler observes f(x) + SD·N(0, 1) instead of f(x), the noise of
// trial n drawn from a stream keyed by (seed, n) (see `observationNoise`), so a run stays
// a pure function of its seed and all samplers see the same noise at the same trial
// index. The regret is then the TRUE regret of the trial with the best OBSERVED value so
// far (the one a user would pick), f(x*) − minimum, not the best true value seen.
//
// Usage: bench-search [--seeds N] [--first-seed N] [--trials N] [--functions LIST] [--samplers LIST]
//                     [--noise SD] [--dump PREFIX]
//   --functions / --samplers run only the named rows (comma-separated: branin, hartmann6;
//   random, halton, tpe, tpe-gap, tpe-optuna5, tpe-independent).
//   --dump writes each row's per-seed regrets (one line per seed, one column per
//   checkpoint) to PREFIX-<function>-<sampler key>.txt, for numpy.loadtxt; with --noise
//   also the regret of the best TRUE value among the trials so far (what the search
//   reached, whether or not the noisy pick finds it) to PREFIX-<function>-<sampler key>-found.txt.
import Vocabulary
import Foundation
import Search

struct Options {
    static func exitWithUsage(_ problem: String) -> Never {
        try? FileHandle.standardError.write(contentsOf: Data("bench-search: \(problem)\nusage: bench-search [--seeds N] [--first-seed N] [--trials N] [--functions LIST] [--samplers LIST] [--noise SD] [--dump PREFIX]\n".utf8))
        exit(2)
    }

    var seeds = 20
    var firstSeed = 0
    var trials = 100
    var dumpPrefix: String?
    var noise: Double?
    var functions: [String]?
    var samplers: [String]?

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst().makeIterator()
        while let flag = rest.next() {
            guard let text = rest.next() else { Options.exitWithUsage("missing value after \(flag)") }
            switch flag {
            case "--dump":
                dumpPrefix = text
                continue
            case "--functions":
                functions = text.split(separator: ",").map(String.init)
                continue
            case "--samplers":
                samplers = text.split(separator: ",").map(String.init)
                continue
            case "--noise":
                guard let sd = Double(text), sd.isFinite, sd >= 0 else {
                    Options.exitWithUsage("bad value after --noise: \(text) (a finite standard deviation >= 0)")
                }
                noise = sd
                continue
            default:
                break
            }
            guard let value = Int(text), value >= 0 else { Options.exitWithUsage("bad value after \(flag)") }
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

let allSamplers: [(key: String, name: String, make: @Sendable (UInt64) -> any Sampler)] = [
    ("random", "random", { RandomSampler(seed: $0) }),
    ("halton", "halton", { HaltonSampler(seed: $0) }),
    ("tpe", "tpe", { try! TPESampler(seed: $0) }),
    ("tpe-gap", "tpe, equal weights + neighbour gaps", {
        try! TPESampler(seed: $0, goodWeighting: .equal, bandwidth: .neighbourGap)
    }),
    ("tpe-optuna5", "tpe, Optuna 5.0 settings", {
        try! TPESampler(seed: $0, candidateCount: 24, clipExponent: 1, goodWeighting: .equal, bandwidth: .neighbourGap)
    }),
    ("tpe-independent", "tpe, independent", { try! TPESampler(seed: $0, multivariate: false) }),
]
let allFunctions: [BenchmarkFunction] = [.branin, .hartmann6]
for key in options.samplers ?? [] where !allSamplers.contains(where: { $0.key == key }) {
    Options.exitWithUsage("unknown sampler \(key) in --samplers (known: \(allSamplers.map(\.key).joined(separator: ", ")))")
}
for name in options.functions ?? [] where !allFunctions.contains(where: { $0.name == name }) {
    Options.exitWithUsage("unknown function \(name) in --functions (known: \(allFunctions.map(\.name).joined(separator: ", ")))")
}
let samplers = allSamplers.filter { options.samplers?.contains($0.key) ?? true }
let functions = allFunctions.filter { options.functions?.contains($0.name) ?? true }

/// SD·N(0, 1) added to trial `trial`'s value in the run seeded `seed`. The seed is
/// first XORed with a constant because RandomSampler and TPE's startup trials draw
/// their points from SplitMix64(seed, stream: trial): the same key would make the noise
/// a function of the point (random search would see a fixed distortion of f, not noise).
func observationNoise(seed: UInt64, trial: Int, sd: Double) -> Double {
    var generator = SplitMix64(seed: seed ^ 0x4E4F_4953_455F_5344, stream: UInt64(bitPattern: Int64(trial)))
    return sd * generator.nextGaussian()
}

/// Regrets of one run at each checkpoint.
struct RunRegrets: Sendable {
    /// True value of the trial with the best observed value so far − minimum (without
    /// noise: best value − minimum, the simple regret).
    var picked: [Double] = []
    /// Best true value among the trials so far − minimum (equals `picked` without noise).
    var found: [Double] = []
}

func run(_ sampler: any Sampler, seed: UInt64, on function: BenchmarkFunction) -> RunRegrets {
    var history: [Observation] = []
    var bestObserved = Double.infinity
    var trueValueOfBest = Double.infinity
    var bestTrue = Double.infinity
    var regrets = RunRegrets()
    for trial in 0..<options.trials {
        let params = try! sampler.sample(space: function.space, trialNumber: trial, history: history)!
        let value = function(params)
        let observed = options.noise.map { value + observationNoise(seed: seed, trial: trial, sd: $0) } ?? value
        // Strict `<`: on a tie the earlier trial stays the pick (without noise both hold
        // the same value, so the regret equals the former best − minimum exactly).
        if observed < bestObserved {
            bestObserved = observed
            trueValueOfBest = value
        }
        bestTrue = min(bestTrue, value)
        history.append(Observation(trialNumber: trial, params: params, state: .finished(objective: observed)))
        if checkpoints.contains(trial + 1) {
            regrets.picked.append(trueValueOfBest - function.minimum)
            regrets.found.append(bestTrue - function.minimum)
        }
    }
    return regrets
}

/// Per-seed results written by concurrent workers, each into its own slot.
final class SeedResults: @unchecked Sendable {  // Safe: `lock` guards every access to `slots`.
    private var slots: [RunRegrets]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: RunRegrets(), count: count) }

    func set(_ index: Int, _ regrets: RunRegrets) {
        lock.lock()
        slots[index] = regrets
        lock.unlock()
    }

    var all: [RunRegrets] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    let position = p * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
}

/// One line per seed, one column per checkpoint.
func dump(_ rows: [[Double]], to path: String) {
    let lines = rows.map { regrets in regrets.map { String($0) }.joined(separator: " ") + "\n" }
    guard FileManager.default.createFile(atPath: path, contents: Data(lines.joined().utf8)) else {
        Options.exitWithUsage("cannot write \(path)")
    }
}

func format(_ x: Double) -> String { String(format: "%.4f", x) }

print("simple regret, median [IQR] over \(options.seeds) seeds, \(options.trials) trials")
if let sd = options.noise {
    print("observation noise SD \(sd); regret = true value of the best-observed trial − minimum")
}
print("| function | sampler | " + checkpoints.map { "n=\($0)" }.joined(separator: " | ") + " | seconds |")
print("|---|---|" + checkpoints.map { _ in "---|" }.joined() + "---|")
for function in functions {
    for sampler in samplers {
        let start = Date()
        let results = SeedResults(count: options.seeds)
        DispatchQueue.concurrentPerform(iterations: options.seeds) { i in
            let seed = UInt64(options.firstSeed + i)
            results.set(i, run(sampler.make(seed), seed: seed, on: function))
        }
        let runs = results.all
        if let prefix = options.dumpPrefix {
            let base = "\(prefix)-\(function.name)-\(sampler.key)"
            dump(runs.map(\.picked), to: base + ".txt")
            if options.noise != nil { dump(runs.map(\.found), to: base + "-found.txt") }
        }
        let seconds = Date().timeIntervalSince(start)
        let cells = checkpoints.indices.map { c -> String in
            let values = runs.map { $0.picked[c] }.sorted()
            return "\(format(percentile(values, 0.5))) [\(format(percentile(values, 0.25)))–\(format(percentile(values, 0.75)))]"
        }
        print("| \(function.name) | \(sampler.name) | " + cells.joined(separator: " | ") + " | \(String(format: "%.1f", seconds)) |")
    }
}
