import XCTest
import Foundation
import Kernels
import Learner
import TrialProtocol
@testable import Training

/// The V-pretraining arms inside the trial runner.
final class VPTRunnerTests: XCTestCase {
    override func setUp() { TerminationSignal.reset() }

    func run(_ overrides: [String], resume: String? = nil, onEvent: ((TrialEvent) -> Void)? = nil) throws -> ([TrialEvent], TrialRunner) {
        let config = try Fixture.config(Fixture.yaml(), overrides: overrides)
        let output = TrialOutput(events: FileHandle(forWritingAtPath: "/dev/null")!, logs: FileHandle(forWritingAtPath: "/dev/null")!)
        var events: [TrialEvent] = []
        output.observer = { events.append($0); onEvent?($0) }
        let runner = try TrialRunner(config: config, output: output)
        if let resume { try runner.resume(from: resume) }
        try runner.run()
        return (events, runner)
    }

    let quiet = ["report.val_examples=0", "eval.final_val_examples=0", "eval.test_examples=0", "feedback.batch=4", "feedback.size=12"]

    /// (d) isolation: with mass_max = 0 the vpt and random_feedback learners follow
    /// the baseline trajectory bit for bit (designer and feedback sampling use
    /// their own streams and never step the learner).
    func testZeroMassDesignerArmsEqualBaseline() throws {
        let base = try run(["arm=baseline"] + quiet).1.model.params.toArray().map(\.bitPattern)
        for (arm, params) in [("vpt", "all"), ("random_feedback", "all"), ("vpt", "head")] {
            let (events, runner) = try run(["arm=\(arm)", "designer.mass_max=0", "align.params=\(params)"] + quiet)
            XCTAssertEqual(runner.model.params.toArray().map(\.bitPattern), base, "\(arm), align.params \(params)")
            XCTAssertEqual(events.last?.kind, "finished")
        }
    }

    func testVPTReportsValueAndTimings() throws {
        for params in ["all", "head", "last_block"] {
            let (events, _) = try run(["arm=vpt", "designer.mass_max=0.3", "align.params=\(params)"] + quiet)
            let reports = events.compactMap { e -> TrialEvent.Report? in if case .report(let r) = e { return r }; return nil }
            let first = try XCTUnwrap(reports.first)
            XCTAssertNotNil(first.metrics["alignment_value"], params)
            XCTAssertTrue(first.metrics["alignment_value"]!.isFinite)
            let t = try XCTUnwrap(first.timings)
            XCTAssertEqual(Set(t.keys), ["feedback", "tangent", "designer"])
            XCTAssertTrue(t.values.allSatisfy { $0 > 0 }, "\(t)")
        }
        let fd = try run(["arm=vpt", "align.jvp=finite_difference"] + quiet).0
        XCTAssertEqual(fd.last?.kind, "finished")
    }

    /// SIGTERM then --resume equals an uninterrupted vpt run: the designer's
    /// parameters, its Adam state and the feedback direction travel in the checkpoint.
    func testVPTTerminateAndResumeEqualsUninterrupted() throws {
        let ck = Fixture.dir + "/vpt-ck-\(UUID().uuidString)"
        let o = ["arm=vpt", "designer.mass_max=0.3", "feedback.every=3", "checkpoint={dir: \(ck), every: 100}"] + quiet
        let full = try run(o).1
        let (first, _) = try run(o, onEvent: { e in
            if case .report(let r) = e, r.updates == 4 { TerminationSignal.request() }
        })
        guard case .checkpoint(let c) = first[first.count - 2] else { return XCTFail("\(first.map(\.kind))") }
        TerminationSignal.reset()
        let resumed = try run(o, resume: c.path).1
        XCTAssertEqual(resumed.model.params.toArray().map(\.bitPattern), full.model.params.toArray().map(\.bitPattern))
        XCTAssertEqual(resumed.alignment!.designer.params.toArray(), full.alignment!.designer.params.toArray())
        try? FileManager.default.removeItem(atPath: ck)
    }

    /// (f) at the runner level: the random direction keeps g_down's norm.
    func testRandomFeedbackDirectionHasTheNormOfGDown() throws {
        let config = try Fixture.config(Fixture.yaml(), overrides: ["arm=random_feedback"] + quiet)
        let real = try Fixture.config(Fixture.yaml(), overrides: ["arm=vpt"] + quiet)
        let a = try TrialRunner(config: config), b = try TrialRunner(config: real)
        a.alignment!.refreshIfDue(model: a.model, step: 0)
        b.alignment!.refreshIfDue(model: b.model, step: 0)
        let na = GradClip.norm(a.alignment!.direction.base, a.alignment!.direction.count)
        let nb = GradClip.norm(b.alignment!.direction.base, b.alignment!.direction.count)
        XCTAssertGreaterThan(nb, 0)
        XCTAssertEqual(na, nb, accuracy: 1e-5 * nb)
        XCTAssertNotEqual(a.alignment!.direction.toArray(), b.alignment!.direction.toArray())
    }

    /// With `align.params` a subset, the random direction lies in the subset (the only part the
    /// tangent pass reads) and that part has g_down's norm.
    func testRandomFeedbackDirectionLiesInTheSubsetWithTheNormOfGDown() throws {
        for params in ["head", "last_block"] {
            let overrides = quiet + ["align.params=\(params)"]
            let a = try TrialRunner(config: try Fixture.config(Fixture.yaml(), overrides: ["arm=random_feedback"] + overrides))
            let b = try TrialRunner(config: try Fixture.config(Fixture.yaml(), overrides: ["arm=vpt"] + overrides))
            a.alignment!.refreshIfDue(model: a.model, step: 0)
            b.alignment!.refreshIfDue(model: b.model, step: 0)
            let random = a.alignment!.direction.toArray(), g = b.alignment!.direction.toArray()
            let subset = AlignParameters(rawValue: params)!
            for t in a.model.layout.tensors where !subset.contains(t.name, nLayer: a.model.config.nLayer) {
                XCTAssertTrue(random[t.offset..<(t.offset + t.count)].allSatisfy { $0 == 0 }, "\(params): \(t.name) must be zero")
            }
            let na = GradClip.norm(a.alignment!.direction.base, random.count)
            let nb = GradClip.norm(b.alignment!.direction.base, g.count)
            XCTAssertGreaterThan(nb, 0, params)
            XCTAssertEqual(na, nb, accuracy: 1e-5 * nb, params)
        }
    }
}
