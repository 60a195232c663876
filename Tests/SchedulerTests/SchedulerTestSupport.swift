import EventLoop
import Executors
import Foundation
import Scheduler
import SweepStore
import XCTest

/// A temporary directory with a sweep database, runs directory and the built
/// noop-engine; removed by `tearDown`.
final class SweepFixture {
    let directory: String
    let databasePath: String
    let runsDirectory: String

    init(name: String = #function) throws {
        let base = FileManager.default.temporaryDirectory.path
        directory = "\(base)/vsweep-scheduler-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        databasePath = directory + "/sweeps.sqlite"
        runsDirectory = directory + "/runs"
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Where SwiftPM put the test binary (on Linux the `.xctest` is the executable
    /// itself): the product executables are its siblings.
    static var binDirectory: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    static var noopEngine: String { binDirectory + "/noop-engine" }

    /// A noop-engine sweep spec in YAML; `extra` is appended (more top-level fields).
    static func specText(name: String = "t", trial: String = "{}", reports: Int = 5, maxTrials: Int = 3,
                         parallel: Int = 2, stopping: String = "{rule: none}", extra: String = "") -> String {
        """
        name: \(name)
        engine: [\(noopEngine)]
        trial: \(trial)
        space:
          x1: {uniform: [0, 1]}
          x2: {log_uniform: [1.0e-4, 1.0e-1]}
          x3: {choice: [2, 4, 8, 16]}
        search: {algorithm: random, seed: 7}
        stopping: \(stopping)
        metric: {name: value, goal: maximize}
        budget: {updates: \(reports)}
        limits: {max_trials: \(maxTrials)}
        parallel: {trials: \(parallel)}
        \(extra)
        """
    }

    func store() throws -> SweepStore {
        try SweepStore.open(path: databasePath)
    }

    /// Runs a sweep in this process on a fresh loop; returns the runner and its outcome
    /// (or the error it threw).
    func run(_ text: String, source: (any ParameterSource)? = nil,
             timers: ((Loop) -> any TimerScheduling)? = nil, engineArgv: [String]? = nil,
             configure: ((SweepRunner) -> Void)? = nil) throws -> (SweepRunner, Result<SweepRunner.Outcome, Error>) {
        let spec = try SweepSpec.parse(text: text, source: "spec.yaml")
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop, maxLineBytes: 64 * 1024)
        let runner = try SweepRunner(spec: spec, store: try store(), loop: loop, executor: executor,
                                     timers: timers?(loop) ?? LoopTimers(loop: loop),
                                     engineArgv: engineArgv ?? [Self.noopEngine], runsDirectory: runsDirectory, source: source)
        configure?(runner)
        let result = Result { try runner.run() }
        return (runner, result)
    }
}
