// bench-scheduler: the scheduler's own overhead on a sweep of no-op engine processes
// (scripts/bench-scheduler; results in docs/benchmarks.md).
//
// 1,000 trials of noop-engine (27 reports each, the bench formula), random search,
// ASHA (r_min 1, η 3, max 27), 2 at a time, every report committed to a WAL SQLite
// file. Prints the total time, the scheduler's CPU against its children's, the
// scheduler's own time per report and per trial (spawn included), the cost of the
// first trials against the last ones (flatness), and the trials stopped at each rung.
// Then the same workload through the real CLI (`vsweep run --quiet`, live view and
// log included), its process CPU read from /proc, against the in-process figures.
import EventLoop
import Executors
import Foundation
import Scheduler
import SweepStore

#if canImport(Glibc)
import Glibc
#endif

var trials = 1000
var parallel = 2
var durability = SweepStore.Durability.processCrash
var measureCLI = true
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--trials": trials = Int(arguments.popFirst() ?? "") ?? trials
    case "--parallel": parallel = Int(arguments.popFirst() ?? "") ?? parallel
    // FULL synchronous: an fsync per commit (power-loss durability).
    case "--fsync": durability = .powerLoss
    // Skip the CLI run (e.g. a 100,000-trial in-process run alone).
    case "--no-cli": measureCLI = false
    default:
        try? FileHandle.standardError.write(contentsOf: Data("usage: bench-scheduler [--trials N] [--parallel P] [--fsync] [--no-cli]\n".utf8))
        exit(2)
    }
}

let binDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
let engine = binDirectory + "/noop-engine"
guard FileManager.default.isExecutableFile(atPath: engine) else {
    try? FileHandle.standardError.write(contentsOf: Data("bench-scheduler: \(engine) is not built\n".utf8))
    exit(1)
}
let directory = FileManager.default.temporaryDirectory.path + "/vsweep-bench-scheduler-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }

let specText = """
name: bench
engine: [\(engine)]
space:
  x1: {uniform: [0, 1]}
  x2: {log_uniform: [1.0e-4, 1.0e-1]}
  x3: {choice: [2, 4, 8, 16]}
search: {algorithm: random, seed: 1}
stopping: {rule: asha, min_resource: 1, reduction_factor: 3, max_resource: 27}
metric: {name: value, goal: maximize}
budget: {updates: 27}
limits: {max_trials: \(trials)}
parallel: {trials: \(parallel)}
"""

func cpuSeconds(_ who: Int32) -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(who), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

// The engine on its own: one trial's process run directly, without a scheduler.
func engineAlone(runs: Int) throws -> Double {
    let config = directory + "/alone.json"
    try Data(#"{"x1":0.5,"x2":0.003,"x3":4,"budget":{"updates":27},"checkpoint":{"dir":"\#(directory)/alone"}}"#.utf8)
        .write(to: URL(fileURLWithPath: config))
    let start = Date()
    for _ in 0..<runs {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: engine)
        process.arguments = ["--config", config]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }
    return Date().timeIntervalSince(start) / Double(runs)
}

let engineSeconds = try engineAlone(runs: 20)

let spec = try SweepSpec.parse(text: specText, source: "bench-spec")
let store = try SweepStore.open(path: directory + "/bench.sqlite", durability: durability)
let loop = try Loop()
let executor = try LocalProcessExecutor(loop: loop)
let runner = try SweepRunner(spec: spec, store: store, loop: loop, executor: executor, timers: LoopTimers(loop: loop),
                             engineArgv: [engine], runsDirectory: directory + "/runs")
let cpuSelfBefore = cpuSeconds(RUSAGE_SELF.rawValue)
let cpuChildrenBefore = cpuSeconds(RUSAGE_CHILDREN.rawValue)
let wallStart = Date()
let outcome = try runner.run()
let wall = Date().timeIntervalSince(wallStart)
let cpuSelf = cpuSeconds(RUSAGE_SELF.rawValue) - cpuSelfBefore
let cpuChildren = cpuSeconds(RUSAGE_CHILDREN.rawValue) - cpuChildrenBefore

let stats = runner.stats
var recordedReports = 0
for trial in try store.trials(sweepID: runner.sweep.id) { recordedReports += try store.reports(trialID: trial.id).count }

func milliseconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e6 }
func mean(_ values: ArraySlice<UInt64>) -> Double {
    values.isEmpty ? 0 : milliseconds(values.reduce(0, +)) / Double(values.count)
}

let perReport = milliseconds(stats.reportNanoseconds) / Double(max(1, stats.reports))
let perTrial = mean(stats.trialNanoseconds[...])
print("bench-scheduler: \(trials) noop trials, random search, ASHA (r_min 1, η 3, max 27), \(parallel) at a time, WAL SQLite, synchronous \(durability == .powerLoss ? "FULL" : "NORMAL")")
print("outcome: \(outcome); trials by outcome: \(stats.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
print(String(format: "total: %.2f s wall; scheduler CPU %.2f s; engine processes CPU %.2f s", wall, cpuSelf, cpuChildren))
print(String(format: "engine alone: %.2f ms wall per trial process (27 reports, run directly, 20 runs)", engineSeconds * 1000))
print("reports: \(stats.reports) handled, \(recordedReports) recorded in the store, in \(stats.reportBatches) transactions; integrity_check: \(try store.integrityCheck())")
print(String(format: "scheduler CPU per report: %.4f ms (decode, decide, record; commit included)", perReport))
print(String(format: "scheduler CPU per trial: %.3f ms (sample, enqueue, start incl. spawn, record process, record exit)", perTrial))
print(String(format: "scheduler CPU per trial, everything: %.3f ms (= %.2f s / %d)", cpuSelf * 1000 / Double(trials), cpuSelf, trials))
let count = stats.trialNanoseconds.count
let firstHundred = mean(stats.trialNanoseconds.prefix(100))
let lastHundred = mean(stats.trialNanoseconds.suffix(100))
print(String(format: "per trial bookkeeping, first 100: %.3f ms; last 100: %.3f ms (ratio %.2f) of %d", firstHundred,
             lastHundred, lastHundred / max(firstHundred, 1e-9), count))
/// The window of trials compared for flatness: 1,000 from 10,000 trials up, else a tenth.
let window = max(1, min(1000, count / 10))
/// CPU per trial over the first and last `window` trial ends: everything the loop did
/// in between (reports, decisions, commits, spawns).
func windowCost(_ ends: [UInt64]) -> (first: Double, last: Double) {
    guard ends.count > window else { return (0, 0) }
    let first = Double(ends[window] &- ends[0]) / 1e6 / Double(window)
    let last = Double(ends[ends.count - 1] &- ends[ends.count - 1 - window]) / 1e6 / Double(window)
    return (first, last)
}
let flat = windowCost(stats.cpuAtTrialEnd)
print(String(format: "per trial, everything, first %d: %.3f ms; last %d: %.3f ms (ratio %.2f)", window, flat.first,
             window, flat.last, flat.last / max(flat.first, 1e-9)))
let rungs = stats.stoppedAtRung.keys.sorted().map { "rung \($0) (step \(Int(pow(3.0, Double($0))))): \(stats.stoppedAtRung[$0]!)" }
print("stopped early: " + (rungs.isEmpty ? "none" : rungs.joined(separator: ", ")))
print(String(format: "goals: per report < 0.2 ms: %@; per trial < 5 ms: %@; last/first ≤ 1.2: %@",
             perReport < 0.2 ? "met" : "NOT met", perTrial < 5 ? "met" : "NOT met",
             flat.last / max(flat.first, 1e-9) <= 1.2 ? "met" : "NOT met"))

if measureCLI {
    let cli = try CLIRun.measure(vsweep: binDirectory + "/vsweep", specText: specText.replacingOccurrences(of: "name: bench\n", with: "name: bench-cli\n"),
                                 directory: directory, window: window)
    let everything = cpuSelf * 1000 / Double(trials)
    let cliPerTrial = cli.cpuSeconds * 1000 / Double(trials)
    let cliPerReport = cli.cpuSeconds * 1000 / Double(max(1, cli.reports))
    let benchPerReport = cpuSelf * 1000 / Double(max(1, stats.reports))
    print("CLI path: vsweep run --quiet, same workload, output to a pipe: exit \(cli.status), \(cli.reports) reports recorded")
    print(String(format: "CLI process CPU: %.2f s; per trial %.3f ms (in-process %.3f ms, ratio %.2f); per report %.4f ms (in-process %.4f ms, ratio %.2f)",
                 cli.cpuSeconds, cliPerTrial, everything, cliPerTrial / everything, cliPerReport, benchPerReport,
                 cliPerReport / benchPerReport))
    print(String(format: "CLI per trial, first %d: %.3f ms; last %d: %.3f ms (ratio %.2f)", window, cli.first, window,
                 cli.last, cli.last / max(cli.first, 1e-9)))
    print(String(format: "goals: CLI within 1.5x of in-process per trial and per report: %@; CLI last/first ≤ 1.2: %@",
                 cliPerTrial / everything <= 1.5 && cliPerReport / benchPerReport <= 1.5 ? "met" : "NOT met",
                 cli.last / max(cli.first, 1e-9) <= 1.2 ? "met" : "NOT met"))
}
