import Corpus
import Foundation
import Learner
import XCTest

/// A tiny dataset, a random-init tiny base and one real short sweep and comparison
/// run by the built `vsweep` executable, made once per test run and shared by the
/// query tests (which only read the database).
enum CLIFixture {
    /// The product executables are siblings of the test binary.
    static let vsweep = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().path + "/vsweep"

    static let dir: String = {
        let d = NSTemporaryDirectory() + "vsweep-cli-\(getpid())"
        removeLeftovers()
        try? FileManager.default.removeItem(atPath: d)
        var o = DatasetOptions(seed: 5)
        o.base.count = 200
        o.cot.count = 400
        o.downstream.feedbackCount = 16
        o.downstream.validationCount = 8
        o.downstream.testCount = 8
        _ = try! DatasetBuilder.write(to: d + "/data", options: o)
        let model = try! GPT(config: GPTConfig(dModel: 32, nLayer: 2, nHead: 2, context: 128, batch: 4), seed: 9)
        try! model.saveCheckpoint(to: d + "/base.ckpt")
        return d
    }()

    static var database: String { dir + "/sweeps.sqlite" }

    /// Fixture folders of earlier test runs whose process is gone (a test run cannot
    /// remove its own at exit: XCTest has no end-of-run hook here).
    private static func removeLeftovers() {
        let tmp = NSTemporaryDirectory()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] where name.hasPrefix("vsweep-cli-") {
            guard let pid = Int32(name.dropFirst("vsweep-cli-".count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: tmp + name) }
        }
    }

    /// The base trial config shared by the sweep and the comparison (YAML flow mapping).
    static var trial: String {
        """
        {base: \(dir)/base.ckpt, data: \(dir)/data, arm: baseline,
           learner: {lr: 1.0e-3, warmup: 2, batch: 4, seq: 32},
           report: {every: 4, val_examples: 4},
           eval: {max_new_tokens: 8, heldout_windows: 4, feedback_examples: 4, final_val_examples: 4,
                  test_examples: 4, batch: 4}}
        """
    }

    static let sweepSpec: String = {
        """
        name: tiny
        engine: builtin
        trial: \(trial)
        space:
          learner.lr: {log_uniform: [3.0e-4, 3.0e-3]}
          learner.weight_decay: {choice: [0.0, 0.1]}
        search: {algorithm: random, seed: 1}
        stopping: {rule: asha, min_resource: 4, reduction_factor: 2, max_resource: 12}
        metric: {name: feedback_loss, goal: minimize}
        budget: {updates: 12}
        limits: {max_trials: 5}
        parallel: {trials: 2, threads_per_trial: 1}
        """
    }()

    /// Runs the sweep once (and its result is what every query test reads).
    static let sweepRun: Result = {
        let path = dir + "/tiny.yaml"
        try! sweepSpec.write(toFile: path, atomically: true, encoding: .utf8)
        return run(["run", path, "--db", database, "--runs", dir + "/runs", "--quiet"])
    }()

    static let comparisonSpec: String = {
        """
        name: tiny-compare
        engine: builtin
        trial: \(trial)
        arms:
          baseline: {arm: baseline}
          vpt: {arm: vpt, designer.mass_max: 0.2, designer.top_k: 2, feedback.batch: 2}
        seeds: [3, 4]
        budget: {updates: 8}
        metric: {name: test_pass1, goal: maximize}
        report_metrics: [val_loss]
        parallel: {trials: 2, threads_per_trial: 1}
        bootstrap: {resamples: 500, seed: 1}
        """
    }()

    static var comparisonPath: String { dir + "/tiny-compare.yaml" }

    /// Runs the comparison once; its table (terminal format) is the result's stdout.
    static let comparisonRun: Result = {
        try! comparisonSpec.write(toFile: comparisonPath, atomically: true, encoding: .utf8)
        return run(["compare", comparisonPath, "--db", database, "--runs", dir + "/runs", "--quiet"])
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs vsweep to its end; stdout and stderr are read through files (no pipe
    /// can fill up and block the child).
    static func run(_ arguments: [String], cwd: String? = nil) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: vsweep)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var env = ProcessInfo.processInfo.environment
        env["VSWEEP_NO_BLAS_REEXEC"] = "1"
        p.environment = env
        let tag = UUID().uuidString
        let outPath = NSTemporaryDirectory() + "vsweep-cli-out-\(tag)"
        let errPath = NSTemporaryDirectory() + "vsweep-cli-err-\(tag)"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        do { try p.run() } catch { return Result(status: -1, stdout: "", stderr: "cannot start \(vsweep): \(error)") }
        p.waitUntilExit()
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return Result(status: p.terminationStatus, stdout: out, stderr: err)
    }
}
