import XCTest
import Foundation
import ConfigFiles
import Corpus
import Learner
import TrialProtocol
@testable import Training

/// A tiny dataset and a random-init tiny base, made once per test run.
enum Fixture {
    static let dir: String = {
        let d = NSTemporaryDirectory() + "vsweep-training-\(getpid())"
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

    static func yaml(_ extra: String = "") -> String {
        """
        trial: t1
        base: \(dir)/base.ckpt
        data: \(dir)/data
        seed: 2
        learner: {lr: 1.0e-3, warmup: 2, batch: 4, seq: 32}
        budget: {updates: 8}
        report: {every: 4, val_examples: 4}
        eval: {max_new_tokens: 8, heldout_windows: 4, feedback_examples: 4, final_val_examples: 4, test_examples: 4, batch: 4}
        \(extra)
        """
    }

    static func config(_ text: String, overrides: [String] = []) throws -> TrialConfig {
        var doc = try ConfigDocument.parse(yaml: text, source: "trial.yaml")
        try doc.apply(overrides: overrides)
        return try TrialConfig(document: doc)
    }
}

final class TrialRunnerTests: XCTestCase {
    override func setUp() { TerminationSignal.reset() }

    func run(_ config: TrialConfig, resume: String? = nil, onEvent: ((TrialEvent) -> Void)? = nil) throws -> ([TrialEvent], TrialRunner) {
        let output = TrialOutput(events: FileHandle(forWritingAtPath: "/dev/null")!, logs: FileHandle(forWritingAtPath: "/dev/null")!)
        var events: [TrialEvent] = []
        output.observer = { events.append($0); onEvent?($0) }
        let runner = try TrialRunner(config: config, output: output)
        if let resume { try runner.resume(from: resume) }
        try runner.run()
        return (events, runner)
    }

    func testEventSequenceForAnUpdateBudget() throws {
        let (events, _) = try run(try Fixture.config(Fixture.yaml()))
        XCTAssertEqual(events.map(\.kind), ["started", "report", "report", "finished"])
        guard case .started(let s) = events[0], case .report(let r) = events[1], case .finished(let f) = events[3] else {
            return XCTFail("unexpected events \(events)")
        }
        XCTAssertEqual(s.trial, "t1")
        XCTAssertEqual(s.config["budget"]?["updates"], .number(8))
        XCTAssertEqual(r.updates, 4)
        XCTAssertEqual(r.tokens, 4 * 4 * 32)
        XCTAssertEqual(Set(r.metrics.keys), ["train_loss", "train_loss_onehot", "heldout_loss", "feedback_loss", "val_pass1"])
        XCTAssertEqual(f.reason, .budget)
        XCTAssertEqual(f.updates, 8)
        XCTAssertNotNil(f.metrics["test_pass1"])
        XCTAssertTrue(f.metrics.values.allSatisfy(\.isFinite), "\(f.metrics)")
        // Every line a scheduler would read decodes back to the same event.
        for e in events { XCTAssertEqual(try TrialEvent(jsonLine: e.jsonLine()), e) }
    }

    /// `train_loss_onehot` is the loss every arm can be compared on: equal to the training
    /// loss where the target is one-hot (the baseline; a control with mass 0, whose q is
    /// exactly one-hot) and different from it where q is soft.
    func testOnehotLossIsComparableAcrossArms() throws {
        func reports(_ extra: String) throws -> [[String: Double]] {
            try run(try Fixture.config(Fixture.yaml(extra))).0.compactMap { e -> [String: Double]? in
                if case .report(let r) = e { return r.metrics } else { return nil }
            }
        }
        for arm in ["arm: baseline", "arm: uniform_topk\ndesigner: {mass_max: 0.0, top_k: 4}"] {
            for m in try reports(arm) {
                let a = try XCTUnwrap(m["train_loss"]), b = try XCTUnwrap(m["train_loss_onehot"])
                XCTAssertEqual(a, b, accuracy: 1e-5 * a, arm)
            }
        }
        let soft = try reports("arm: uniform_topk\ndesigner: {mass_max: 0.5, top_k: 4}")
        let m = try XCTUnwrap(soft.first)
        XCTAssertGreaterThan(abs(m["train_loss"]! - m["train_loss_onehot"]!), 1e-3, "soft targets: \(m)")
    }

    /// SIGTERM after update 4 (flag raised as the handler would), then --resume:
    /// the result equals an uninterrupted run, bit for bit.
    func testTerminateAndResumeEqualsUninterrupted() throws {
        let ckdir = Fixture.dir + "/ck-\(UUID().uuidString)"
        let config = try Fixture.config(Fixture.yaml("checkpoint: {dir: \(ckdir), every: 100}"))
        let (full, fullRunner) = try run(config)

        let (first, _) = try run(config, onEvent: { e in
            if case .report(let r) = e, r.updates == 4 { TerminationSignal.request() }
        })
        XCTAssertEqual(first.map(\.kind), ["started", "report", "checkpoint", "finished"])
        guard case .checkpoint(let ck) = first[2], case .finished(let f) = first[3] else { return XCTFail("\(first)") }
        XCTAssertEqual(f.reason, .terminated)
        XCTAssertEqual(ck.updates, 4)
        TerminationSignal.reset()

        let (second, resumedRunner) = try run(config, resume: ck.path)
        guard case .finished(let a) = full.last, case .finished(let b) = second.last else { return XCTFail() }
        XCTAssertEqual(b.updates, 8)
        for key in ["train_loss", "heldout_loss", "feedback_loss", "val_pass1", "test_pass1"] {
            XCTAssertEqual(a.metrics[key], b.metrics[key], key)
        }
        XCTAssertEqual(fullRunner.model.params.toArray().map(\.bitPattern), resumedRunner.model.params.toArray().map(\.bitPattern))
        try? FileManager.default.removeItem(atPath: ckdir)
    }

    func testSameSeedSameDataDifferentSeedDifferentData() throws {
        let a = try TrialRunner(config: try Fixture.config(Fixture.yaml()))
        let b = try TrialRunner(config: try Fixture.config(Fixture.yaml(), overrides: ["learner.lr=0.5", "report.every=2"]))
        let c = try TrialRunner(config: try Fixture.config(Fixture.yaml(), overrides: ["seed=3"]))
        XCTAssertEqual(a.stream.batch(step: 7, rows: 4), b.stream.batch(step: 7, rows: 4), "data order depends on the seed only")
        XCTAssertNotEqual(a.stream.batch(step: 7, rows: 4), c.stream.batch(step: 7, rows: 4))
    }

    func testConfigErrorsNameTheField() throws {
        func expect(_ text: String, _ fragment: String, overrides: [String] = [], line: UInt = #line) {
            XCTAssertThrowsError(try Fixture.config(text, overrides: overrides), line: line) { e in
                XCTAssertTrue("\(e)".contains(fragment), "\(e)", line: line)
            }
        }
        expect(Fixture.yaml(), "budget: set only one", overrides: ["budget.seconds=5"])
        expect("data: x\nbudget: {updates: 1}\n", "base: is required")
        expect(Fixture.yaml(), "--set: learner.lr: must be > 0 (got -1)", overrides: ["learner.lr=-1"])
        expect(Fixture.yaml().replacingOccurrences(of: "lr: 1.0e-3", with: "lr: -2"), "trial.yaml:5: learner.lr: must be > 0 (got -2)")
        expect(Fixture.yaml("colour: blue"), "trial.yaml:9: colour: unknown field")
        expect(Fixture.yaml(), "arm: must be one of: baseline, vpt", overrides: ["arm=best"])
        expect(Fixture.yaml(), "learner.batch: must be an integer", overrides: ["learner.batch=2.5"])
    }

    func testMissingOrCorruptBaseIsAFieldError() throws {
        let bad = Fixture.dir + "/corrupt.ckpt"
        try Data("VSWCKPT\0garbage".utf8).write(to: URL(fileURLWithPath: bad))
        for (path, fragment) in [(Fixture.dir + "/missing.ckpt", "cannot read"), (bad, bad)] {
            let config = try Fixture.config(Fixture.yaml(), overrides: ["base=\(path)"])
            XCTAssertThrowsError(try TrialRunner(config: config)) { e in
                let err = e as! TrialError
                XCTAssertEqual(err.field, "base")
                XCTAssertTrue(err.isConfig)
                XCTAssertTrue(err.message.contains(fragment), err.message)
            }
        }
        let seq = try Fixture.config(Fixture.yaml(), overrides: ["learner.seq=129"])
        XCTAssertThrowsError(try TrialRunner(config: seq)) { XCTAssertEqual(($0 as! TrialError).field, "learner.seq") }
    }
}

final class TrialConfigEchoTests: XCTestCase {
    /// The echoed config, fed back as a config file, gives the same config.
    func testEffectiveConfigRoundTrips() throws {
        let a = try Fixture.config(Fixture.yaml(), overrides: ["learner.clip=0.5", "eval.test_examples=0"])
        let json = TrialEvent.started(.init(trial: nil, engine: "x", config: a.effective)).jsonLine()
        guard case .started(let s) = try TrialEvent(jsonLine: json) else { return XCTFail() }
        let b = try TrialConfig(document: ConfigDocument(root: s.config, source: "echo"))
        XCTAssertEqual(b.effective, a.effective)
        XCTAssertEqual(s.config["learner"]?["beta2"], .number(Double(Float(0.95))), "defaults are filled in")
        XCTAssertEqual(s.config["eval"]?["test_examples"], .number(0))
    }
}
