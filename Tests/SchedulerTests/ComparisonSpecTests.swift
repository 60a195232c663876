import Vocabulary
import EventLoop
import Executors
import Foundation
import Scheduler
import SweepStore
import TrialProtocol
import XCTest

final class ComparisonSpecTests: XCTestCase {
    let full = """
        name: paper-ablation
        engine: [python3, engine.py]
        trial: {base: b.ckpt, data: d, learner: {lr: 1.0e-3}}
        arms:
          vpt: {arm: vpt, designer.mass_max: 0.3, align.params: head}
          baseline: {arm: baseline}
          self_distill: {arm: self_distill, designer.top_k: 8}
        reference: baseline
        seeds: [11, 12, 13]
        budget: {seconds: 30}
        metric: {name: test_pass1, goal: maximize}
        report_metrics: [val_pass1, val_loss]
        parallel: {trials: 2, threads_per_trial: 4, gpus: [0, 1]}
        retries: {max_attempts: 2}
        deadline: {grace_seconds: 5, timeout_seconds: 300}
        bootstrap: {resamples: 2000, seed: 7}
        """

    let minimal = """
        name: small
        arms:
          zeta: {arm: vpt}
          alpha: {}
        seeds: 3
        budget: {updates: 60}
        metric: {name: val_loss, goal: minimize}
        """

    func testParsesEveryFieldKeepingArmsInFileOrder() throws {
        let spec = try ComparisonSpec.parse(text: full, source: "ablation.yaml")
        XCTAssertEqual(spec.name, "paper-ablation")
        XCTAssertEqual(spec.engine, .command(["python3", "engine.py"]))
        XCTAssertEqual(spec.trial["learner"]?["lr"], .number(1e-3))
        XCTAssertEqual(spec.arms.map(\.name), ["vpt", "baseline", "self_distill"])
        XCTAssertEqual(spec.arms[0].params, ["arm": .string("vpt"), "designer.mass_max": .number(0.3),
                                             "align.params": .string("head")])
        XCTAssertEqual(spec.arms[1].params, ["arm": .string("baseline")])
        XCTAssertEqual(spec.arms[2].params["designer.top_k"], .number(8))
        XCTAssertEqual(spec.reference, "baseline")
        XCTAssertEqual(spec.seeds, [11, 12, 13])
        XCTAssertEqual(spec.budget, .seconds(30))
        XCTAssertEqual(spec.metric, "test_pass1")
        XCTAssertEqual(spec.goal, .maximize)
        XCTAssertEqual(spec.reportMetrics, ["val_pass1", "val_loss"])
        XCTAssertEqual(spec.parallelTrials, 2)
        XCTAssertEqual(spec.threadsPerTrial, 4)
        XCTAssertEqual(spec.gpus, ["0", "1"])
        XCTAssertEqual(spec.maxAttempts, 2)
        XCTAssertEqual(spec.graceSeconds, 5)
        XCTAssertEqual(spec.timeoutSeconds, 300)
        XCTAssertEqual(spec.bootstrapResamples, 2000)
        XCTAssertEqual(spec.bootstrapSeed, 7)
        XCTAssertEqual(spec.text, full)
        XCTAssertEqual(spec.trialCount, 9)
    }

    func testDefaults() throws {
        let spec = try ComparisonSpec.parse(text: minimal, source: "small.yaml")
        XCTAssertEqual(spec.engine, .builtin)
        XCTAssertEqual(spec.trial, .object([:]))
        XCTAssertEqual(spec.arms.map(\.name), ["zeta", "alpha"])
        XCTAssertEqual(spec.arms[1].params, [:])
        XCTAssertEqual(spec.reference, "zeta", "the first arm in the file, not in alphabetical order")
        XCTAssertEqual(spec.seeds, [1, 2, 3], "seeds: N means 1 … N")
        XCTAssertEqual(spec.budget, .updates(60))
        XCTAssertEqual(spec.goal, .minimize)
        XCTAssertEqual(spec.reportMetrics, [])
        XCTAssertEqual(spec.parallelTrials, 1)
        XCTAssertEqual(spec.threadsPerTrial, 1)
        XCTAssertEqual(spec.gpus, [])
        XCTAssertEqual(spec.maxAttempts, 3)
        XCTAssertEqual(spec.graceSeconds, 10)
        XCTAssertNil(spec.timeoutSeconds)
        XCTAssertEqual(spec.bootstrapResamples, 10_000)
        XCTAssertEqual(spec.bootstrapSeed, 0)
    }

    func testLoadNamesAMissingFile() {
        XCTAssertThrowsError(try ComparisonSpec.load(path: "/nonexistent/cmp.yaml")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/cmp.yaml: cannot read the comparison spec (no such file)")
        }
    }

    func testCellsAreSeedMajor() throws {
        let spec = try ComparisonSpec.parse(text: full, source: "ablation.yaml")
        let cells = (1...9).map { n -> String in
            let cell = spec.cell(ofTrial: Int64(n))!
            return "\(cell.arm.name)@\(cell.seed)"
        }
        XCTAssertEqual(cells, ["vpt@11", "baseline@11", "self_distill@11",
                               "vpt@12", "baseline@12", "self_distill@12",
                               "vpt@13", "baseline@13", "self_distill@13"])
        XCTAssertNil(spec.cell(ofTrial: 0))
        XCTAssertNil(spec.cell(ofTrial: 10))
        XCTAssertNil(spec.cell(ofTrial: -1))
    }

    func testSourceProposesEachCellWithItsSeedThenIsExhausted() throws {
        let spec = try ComparisonSpec.parse(text: minimal, source: "small.yaml")
        let source = ComparisonParameterSource(spec: spec)
        var proposals: [Proposal] = []
        for n in 1...7 { proposals.append(try source.propose(trialNumber: n, history: [])) }
        XCTAssertEqual(proposals, [
            .params(["arm": .string("vpt"), "seed": .number(1)]), .params(["seed": .number(1)]),
            .params(["arm": .string("vpt"), "seed": .number(2)]), .params(["seed": .number(2)]),
            .params(["arm": .string("vpt"), "seed": .number(3)]), .params(["seed": .number(3)]),
            .exhausted,
        ])
        let past = PastTrial(number: 1, params: [:], isRunning: false, normalisedObjective: 0.5)
        XCTAssertEqual(try source.propose(trialNumber: 3, history: [past]), proposals[2], "the history plays no part")
    }

    func testSweepSpecRunsEveryCellOnceUnderTheComparisonsSettings() throws {
        let spec = try ComparisonSpec.parse(text: full, source: "ablation.yaml")
        let sweep = spec.sweepSpec()
        XCTAssertEqual(sweep.name, "paper-ablation")
        XCTAssertEqual(sweep.engine, .command(["python3", "engine.py"]))
        XCTAssertEqual(sweep.trial, spec.trial)
        XCTAssertEqual(sweep.space, [])
        XCTAssertEqual(sweep.stopping, .none)
        XCTAssertEqual(sweep.metric, "test_pass1")
        XCTAssertEqual(sweep.goal, .maximize)
        XCTAssertEqual(sweep.budget, .seconds(30))
        XCTAssertEqual(sweep.maxTrials, 9)
        XCTAssertNil(sweep.maxTrialSeconds)
        XCTAssertEqual(sweep.parallelTrials, 2)
        XCTAssertEqual(sweep.threadsPerTrial, 4)
        XCTAssertEqual(sweep.gpus, ["0", "1"])
        XCTAssertEqual(sweep.maxAttempts, 2)
        XCTAssertEqual(sweep.graceSeconds, 5)
        XCTAssertEqual(sweep.execution, spec.execution, "the whole execution section, as one member")
        XCTAssertEqual(sweep.timeoutSeconds, 300)
        XCTAssertEqual(sweep.attemptDeadlineSeconds, 300)
        XCTAssertEqual(sweep.text, full, "a changed comparison spec is a changed sweep")
    }

    func testTrialConfigCarriesTheArmKeysAndTheCellSeed() throws {
        let spec = try ComparisonSpec.parse(text: full, source: "ablation.yaml")
        let launcher = TrialLauncher(spec: spec.sweepSpec(), engineArgv: ["engine"], runsDirectory: "runs",
                                     environment: [:])
        guard case .params(let params) = try ComparisonParameterSource(spec: spec).propose(trialNumber: 4, history: [])
        else { return XCTFail("trial 4 is a cell") }
        let config = launcher.config(number: 4, params: params, seed: 12)
        XCTAssertEqual(config["seed"], .number(12))
        XCTAssertEqual(config["arm"], .string("vpt"))
        XCTAssertEqual(config["designer"]?["mass_max"], .number(0.3))
        XCTAssertEqual(config["align"]?["params"], .string("head"))
        XCTAssertEqual(config["learner"]?["lr"], .number(1e-3), "the base config is kept")
        XCTAssertEqual(config["budget"], .object(["seconds": .number(30)]))
        XCTAssertEqual(config["trial"], .string("paper-ablation-4"))
    }

    /// Two arms × seeds [11, 12] of the noop engine, dispatched for real: the store
    /// records each cell's seed and arm keys, and each trial's config.json carries them.
    func testDispatchRecordsEachCellsSeedAndArmKeys() throws {
        let fixture = try SweepFixture()
        defer { fixture.remove() }
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SweepFixture.noopEngine),
                          "noop-engine is not built next to the test bundle")
        let text = """
            name: cmp
            engine: [\(SweepFixture.noopEngine)]
            arms:
              low: {x1: 0.2}
              high: {x1: 0.8, x3: 8}
            seeds: [11, 12]
            budget: {updates: 2}
            metric: {name: value, goal: maximize}
            parallel: {trials: 2}
            """
        let spec = try ComparisonSpec.parse(text: text, source: "cmp.yaml")
        let loop = try Loop()
        let executor = try LocalProcessExecutor(loop: loop, maxLineBytes: 64 * 1024)
        let runner = try SweepRunner(spec: spec.sweepSpec(), store: try fixture.store(), loop: loop,
                                     executor: executor, timers: LoopTimers(loop: loop),
                                     engineArgv: [SweepFixture.noopEngine], runsDirectory: fixture.runsDirectory,
                                     source: ComparisonParameterSource(spec: spec))
        XCTAssertEqual(try runner.run(), .finished)

        let trials = try fixture.store().trials(sweepID: runner.sweep.id)
        XCTAssertEqual(trials.map(\.number), [1, 2, 3, 4])
        XCTAssertEqual(trials.map(\.seed), [11, 11, 12, 12])
        XCTAssertEqual(trials.map { $0.params["x1"]?.doubleValue }, [0.2, 0.8, 0.2, 0.8])
        XCTAssertEqual(trials.map { $0.params["x3"]?.doubleValue }, [nil, 8, nil, 8])
        XCTAssertEqual(trials.map { $0.params["seed"]?.doubleValue }, [11, 11, 12, 12])
        for trial in trials {
            XCTAssertEqual(trial.state, .completed, "trial \(trial.number): \(trial.error ?? "")")
            let path = "\(fixture.runsDirectory)/cmp/trial-\(trial.number)/config.json"
            let config = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            let cell = try XCTUnwrap(spec.cell(ofTrial: trial.number))
            XCTAssertEqual(config["seed"], .number(Double(cell.seed)), "the engine gets the cell's seed")
            XCTAssertEqual(config["x1"], cell.arm.params["x1"].map(JSONValue.init))
            XCTAssertEqual(config["x3"], cell.arm.params["x3"].map(JSONValue.init))
            XCTAssertEqual(config["budget"], .object(["updates": .number(2)]))
        }
    }
}
