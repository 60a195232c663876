import Vocabulary
import Foundation
import Scheduler
import TrialProtocol
import XCTest

final class SweepSpecTests: XCTestCase {
    let valid = """
        name: quick
        engine: builtin
        trial: {base: b.ckpt, data: d}
        space:
          learner.lr: {log_uniform: [1.0e-4, 1.0e-2]}
          designer.k: {int: [2, 16]}
          arm: vpt
          learner.batch: {choice: [8, 16]}
        search: {algorithm: tpe, seed: 3}
        stopping: {rule: hyperband, min_resource: 50, reduction_factor: 3}
        metric: {name: val_pass1, goal: maximize}
        budget: {updates: 450}
        limits: {max_trials: 40}
        parallel: {trials: 2, threads_per_trial: 4, gpus: [0, 1]}
        """

    func testParsesEveryFieldKeepingTheSpaceInFileOrder() throws {
        let spec = try SweepSpec.parse(text: valid, source: "quick.yaml")
        XCTAssertEqual(spec.name, "quick")
        XCTAssertEqual(spec.engine, .builtin)
        XCTAssertEqual(spec.space.map(\.name), ["learner.lr", "designer.k", "arm", "learner.batch"])
        XCTAssertEqual(spec.space[0].domain, .logUniform(1e-4, 1e-2))
        XCTAssertEqual(spec.space[1].domain, .integer(2, 16))
        XCTAssertEqual(spec.space[2].domain, .fixed(.string("vpt")))
        XCTAssertEqual(spec.space[3].domain, .choice([.number(8), .number(16)]))
        XCTAssertEqual(spec.algorithm, .tpe)
        XCTAssertEqual(spec.seed, 3)
        // max_resource defaults to the updates budget.
        XCTAssertEqual(spec.stopping, .hyperband(minResource: 50, reductionFactor: 3, maxResource: 450))
        XCTAssertEqual(spec.goal, .maximize)
        XCTAssertEqual(spec.budget, .updates(450))
        XCTAssertEqual(spec.maxTrials, 40)
        XCTAssertEqual(spec.gpus, ["0", "1"])
        XCTAssertEqual(spec.threadsPerTrial, 4)
        XCTAssertEqual(spec.maxAttempts, 3)
        XCTAssertNil(spec.attemptDeadlineSeconds, "an updates budget has no wall-clock deadline by default")
        XCTAssertEqual(spec.text, valid)
    }

    func testErrorsNameFileLineAndField() {
        let cases: [(String, String, String)] = [
            ("budget: {updates: 450}", "budget: {updates: 450, seconds: 3}", "quick.yaml:12: budget: give exactly one"),
            ("limits: {max_trials: 40}", "limits: {max_trial: 40}", "quick.yaml:13: limits.max_trial: unknown field"),
            ("  designer.k: {int: [2, 16]}", "  designer.k: {int: [16, 2]}", "quick.yaml:6: space.designer.k.int: needs low < high (got [16, 2])"),
            ("search: {algorithm: tpe, seed: 3}", "search: {algorithm: bayes, seed: 3}", "quick.yaml:9: search.algorithm: must be one of"),
            ("metric: {name: val_pass1, goal: maximize}", "metric: {name: val_pass1}", "metric.goal: is required"),
            ("limits: {max_trials: 40}", "limits: {}", "limits: needs max_trials or max_trial_seconds"),
        ]
        for (old, new, expected) in cases {
            XCTAssertThrowsError(try SweepSpec.parse(text: valid.replacingOccurrences(of: old, with: new),
                                                     source: "quick.yaml")) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) should contain \(expected)")
            }
        }
    }

    func testSelectionOnTheTestSplitNeedsTheNamedField() throws {
        let onTest = valid.replacingOccurrences(of: "metric: {name: val_pass1, goal: maximize}",
                                                with: "metric: {name: test_pass1, goal: maximize}")
        XCTAssertThrowsError(try SweepSpec.parse(text: onTest, source: "quick.yaml")) { error in
            XCTAssertTrue("\(error)".contains("quick.yaml:11: metric.name: test_pass1 reads the test split"), "\(error)")
        }
        let named = onTest.replacingOccurrences(of: "goal: maximize}", with: "goal: maximize, allow_test_split: true}")
        XCTAssertTrue(try SweepSpec.parse(text: named, source: "quick.yaml").selectsOnTest)
        XCTAssertFalse(try SweepSpec.parse(text: valid, source: "quick.yaml").selectsOnTest)
        let needless = valid.replacingOccurrences(of: "goal: maximize}", with: "goal: maximize, allow_test_split: true}")
        XCTAssertThrowsError(try SweepSpec.parse(text: needless, source: "quick.yaml")) { error in
            XCTAssertTrue("\(error)".contains("metric.allow_test_split: is set but val_pass1 does not read"), "\(error)")
        }
    }

    func testWhichMetricNamesReadTheTestSplit() {
        for name in ["test_pass1", "test_loss", "pass1.test", "Test-Accuracy"] {
            XCTAssertTrue(SweepSpec.readsTestSplit(name), name)
        }
        for name in ["val_pass1", "latest_loss", "contest_score", "feedback_loss", "testing"] {
            XCTAssertFalse(SweepSpec.readsTestSplit(name), name)
        }
    }

    func testSpecDifferenceListsChangedFieldsAndWhichMayExtendASweep() throws {
        let grown = valid.replacingOccurrences(of: "max_trials: 40", with: "max_trials: 80")
            .replacingOccurrences(of: "trials: 2, threads_per_trial", with: "trials: 4, threads_per_trial")
        let d = try SpecDifference.between(stored: valid, new: grown)
        XCTAssertEqual(d.changes.map(\.field), ["limits.max_trials", "parallel.trials"])
        XCTAssertEqual(d.refused, [])
        let reseeded = grown.replacingOccurrences(of: "seed: 3", with: "seed: 4")
        let r = try SpecDifference.between(stored: valid, new: reseeded)
        XCTAssertEqual(r.refused.map(\.description), ["search.seed: 3 → 4"])
        let reformatted = valid.replacingOccurrences(of: "limits: {max_trials: 40}", with: "limits:\n  max_trials: 40")
        XCTAssertEqual(try SpecDifference.between(stored: valid, new: reformatted).changes, [], "layout is not a change")
    }

    func testGridPointsAreGivenForAGridOverRealRanges() throws {
        let grid = valid.replacingOccurrences(of: "search: {algorithm: tpe, seed: 3}",
                                              with: "search: {algorithm: grid, grid_points: 3}")
        XCTAssertEqual(try SweepSpec.parse(text: grid, source: "quick.yaml").gridPoints, 3)
        let withoutPoints = valid.replacingOccurrences(of: "search: {algorithm: tpe, seed: 3}", with: "search: {algorithm: grid}")
        XCTAssertThrowsError(try SweepSpec.parse(text: withoutPoints, source: "quick.yaml")) { error in
            XCTAssertTrue("\(error)".contains("quick.yaml:9: search.grid_points: is required by a grid search over "
                                              + "uniform or log_uniform parameters (space.learner.lr)"), "\(error)")
        }
    }

    /// Every spec in `sweeps/` parses with its parser (a comparison has `arms`); the
    /// files that are trial configs, not specs, are listed here.
    func testEveryExampleSpecParses() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let directory = repository.appendingPathComponent("sweeps")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        let trialConfigs = ["trial-smoke.yaml"]
        var comparisons: [String] = []
        var sweeps: [String] = []
        for file in files where !trialConfigs.contains(file) {
            let path = directory.appendingPathComponent(file).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(text.hasPrefix("#"), "\(file): starts with a comment saying what it is for")
            do {
                if text.split(separator: "\n").contains(where: { $0.hasPrefix("arms:") }) {
                    let spec = try ComparisonSpec.load(path: path)
                    XCTAssertEqual(spec.name + ".yaml", file, "a comparison is named after its file")
                    comparisons.append(file)
                } else {
                    let spec = try SweepSpec.load(path: path)
                    XCTAssertEqual(spec.name + ".yaml", file, "a sweep is named after its file")
                    XCTAssertEqual(spec.executor.name, file.contains("slurm") ? "slurm" : "local", file)
                    sweeps.append(file)
                }
            } catch {
                XCTFail("\(error)")
            }
        }
        XCTAssertTrue(Set(files).isSuperset(of: trialConfigs))
        XCTAssertEqual(sweeps, ["external-toy-slurm.yaml", "external-toy.yaml", "mass-k-feedback-lr.yaml", "powered-select.yaml",
                                "quickstart.yaml", "torch-tiny.yaml", "vision-sweep.yaml"])
        XCTAssertEqual(comparisons, ["paper-ablation.yaml", "quickstart-compare.yaml", "torch-compare.yaml",
                                     "torch-qwen2.5-0.5b.yaml", "vision-compare-wallclock.yaml", "vision-compare.yaml",
                                     "wallclock-matched.yaml"])
    }

    func testMassKFeedbackExampleSearchesTheVPTArmsSettings() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let spec = try SweepSpec.load(path: repository.appendingPathComponent("sweeps/mass-k-feedback-lr.yaml").path)
        XCTAssertEqual(spec.trial["arm"], .string("vpt"))
        XCTAssertEqual(spec.space.map(\.name), ["designer.mass_max", "designer.top_k", "feedback.size",
                                                "learner.lr", "designer.lr"])
        XCTAssertEqual(spec.budget, .updates(240))
        XCTAssertEqual(spec.stopping, .asha(minResource: 30, reductionFactor: 3, maxResource: 240))
        let ablation = try ComparisonSpec.load(path: repository.appendingPathComponent("sweeps/paper-ablation.yaml").path)
        XCTAssertEqual(ablation.arms.map { $0.params["arm"] },
                       ["baseline", "vpt", "uniform_topk", "self_distill", "random_feedback"].map(ParamValue.string))
        XCTAssertEqual(ablation.seeds, [1, 2, 3, 4, 5])
        XCTAssertEqual(ablation.trialCount, 25)
    }

    func testLaunchConfigSetsDottedParametersOverTheBase() throws {
        let spec = try SweepSpec.parse(text: valid, source: "quick.yaml")
        let launcher = TrialLauncher(spec: spec, engineArgv: ["/bin/vsweep", "train"], runsDirectory: "runs",
                                     environment: ["PATH": "/bin"])
        let config = launcher.config(number: 4, params: ["learner.lr": .number(0.001), "arm": .string("vpt")], seed: 9)
        XCTAssertEqual(config["base"], .string("b.ckpt"))
        XCTAssertEqual(config["learner"]?["lr"], .number(0.001))
        XCTAssertEqual(config["budget"], .object(["updates": .number(450)]))
        XCTAssertEqual(config["trial"], .string("quick-4"))
        XCTAssertEqual(config["seed"], .number(9))
        XCTAssertEqual(config["checkpoint"]?["dir"], .string("runs/quick/trial-4"))
    }
}
