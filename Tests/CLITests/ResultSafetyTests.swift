import Foundation
import SweepStore
import TrialProtocol
import Vocabulary
import XCTest

/// What keeps a sweep's results honest and reproducible from the CLI: selection on the
/// test split refused unless named, `best` safe to run as printed, provenance recorded,
/// and a finished sweep extended by its limits without `--new`.
final class ResultSafetyTests: XCTestCase {
    private func tinySpec(name: String, metric: String, extraMetric: String = "", maxTrials: Int = 2,
                          seed: Int = 1) -> String {
        """
        name: \(name)
        engine: builtin
        trial: \(CLIFixture.trial)
        space:
          learner.lr: {log_uniform: [3.0e-4, 3.0e-3]}
        search: {algorithm: random, seed: \(seed)}
        metric: {name: \(metric), goal: minimize\(extraMetric)}
        budget: {updates: 4}
        limits: {max_trials: \(maxTrials)}
        parallel: {trials: 2, threads_per_trial: 1}
        """
    }

    private func write(_ text: String, _ name: String) throws -> String {
        _ = CLIFixture.dir
        let path = CLIFixture.dir + "/\(name).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func database(_ name: String) -> String { CLIFixture.dir + "/\(name).sqlite" }

    func testATestMetricSweepIsRefusedUnlessNamedAndThenEveryReaderWarns() throws {
        let db = database("test-split")
        let runs = CLIFixture.dir + "/runs-test-split"
        let refused = CLIFixture.run(["run", try write(tinySpec(name: "on-test", metric: "test_pass1"), "on-test"),
                                      "--db", db, "--runs", runs, "--quiet"])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("metric.name") && refused.stderr.contains("allow_test_split"), refused.stderr)

        let allowed = tinySpec(name: "on-test", metric: "test_loss_never", extraMetric: ", allow_test_split: true")
            .replacingOccurrences(of: "goal: minimize", with: "goal: maximize")
            .replacingOccurrences(of: "test_loss_never", with: "test_pass1")
        let ran = CLIFixture.run(["run", try write(allowed, "on-test"), "--db", db, "--runs", runs, "--quiet"])
        XCTAssertEqual(ran.status, 0, ran.stderr)
        let store = try SweepStore.open(path: db)
        XCTAssertTrue(try XCTUnwrap(store.sweep(named: "on-test")).selectsOnTest, "the store records it")

        let best = CLIFixture.run(["best", "on-test", "--db", db, "--runs", runs])
        XCTAssertEqual(best.status, 0, best.stderr)
        XCTAssertTrue(best.stderr.contains("selected on the test split"), best.stderr)
        let show = CLIFixture.run(["show", "on-test-1", "--db", db])
        XCTAssertTrue(show.stdout.contains("selected on the test split"), show.stdout)
        XCTAssertTrue(show.stdout.contains("splits evaluated: ") && show.stdout.contains("test"), show.stdout)
        let out = CLIFixture.dir + "/on-test-report"
        let report = CLIFixture.run(["report", "on-test", "--db", db, "--out", out])
        XCTAssertEqual(report.status, 0, report.stderr)
        let html = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        XCTAssertTrue(html.contains("Warning: selected on the test split"))
    }

    func testAValidationMetricSweepIsNotMarkedAndShowsItsSplitsAndProvenance() throws {
        XCTAssertEqual(CLIFixture.sweepRun.status, 0, CLIFixture.sweepRun.stderr)
        let store = try SweepStore.open(path: CLIFixture.database)
        let sweep = try XCTUnwrap(store.sweep(named: "tiny"))
        XCTAssertFalse(sweep.selectsOnTest)
        let provenance = try XCTUnwrap(sweep.provenance, "recorded at the first run")
        XCTAssertTrue(provenance.contains("\"vsweep_version\""), provenance)
        let baseHash = FNV1a64.hex(FNV1a64.hash(try Data(contentsOf: URL(fileURLWithPath: CLIFixture.dir + "/base.ckpt"))))
        XCTAssertTrue(provenance.contains("fnv1a64:\(baseHash)"), "the base is recorded by content: \(provenance)")
        let show = CLIFixture.run(["show", "tiny-1", "--db", CLIFixture.database])
        XCTAssertTrue(show.stdout.contains("splits evaluated: train, heldout, feedback, validation"), show.stdout)
        XCTAssertTrue(show.stdout.contains("provenance: base: "), show.stdout)
        XCTAssertFalse(show.stdout.contains("test split"), show.stdout)
    }

    func testBestRunAsPrintedLeavesTheOriginalTrialUntouched() throws {
        XCTAssertEqual(CLIFixture.sweepRun.status, 0, CLIFixture.sweepRun.stderr)
        let best = CLIFixture.run(["best", "tiny", "--db", CLIFixture.database, "--runs", CLIFixture.dir + "/runs"])
        XCTAssertEqual(best.status, 0, best.stderr)
        XCTAssertTrue(best.stdout.contains("# provenance: vsweep "), best.stdout)
        let store = try SweepStore.open(path: CLIFixture.database)
        let number = try XCTUnwrap(store.best(sweepID: try XCTUnwrap(store.sweep(named: "tiny")).id).first).number
        let original = CLIFixture.dir + "/runs/tiny/trial-\(number)"
        let before = try hashes(under: original)
        XCTAssertFalse(before.isEmpty)
        let config = CLIFixture.dir + "/best-as-printed.yaml"
        try best.stdout.write(toFile: config, atomically: true, encoding: .utf8)
        let rerun = CLIFixture.run(["train", "--config", config], cwd: CLIFixture.dir)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(try hashes(under: original), before, "the original trial's files are unchanged")
        let fresh = CLIFixture.dir + "/runs/tiny/reruns/trial-\(number)"
        XCTAssertFalse(try hashes(under: fresh).isEmpty, "the re-run wrote its checkpoint to a fresh directory")
        XCTAssertTrue(rerun.stdout.contains("test_pass1"), "final evaluation on the test split is on: \(rerun.stdout)")
    }

    func testExtendingMaxTrialsOfAFinishedSweepRunsOnlyTheNewTrials() throws {
        let db = database("extend")
        let runs = CLIFixture.dir + "/runs-extend"
        let path = try write(tinySpec(name: "grow", metric: "feedback_loss", maxTrials: 2), "grow")
        XCTAssertEqual(CLIFixture.run(["run", path, "--db", db, "--runs", runs, "--quiet"]).status, 0)
        let store = try SweepStore.open(path: db)
        let id = try XCTUnwrap(store.sweep(named: "grow")).id
        let first = try store.trials(sweepID: id)
        XCTAssertEqual(first.count, 2)

        _ = try write(tinySpec(name: "grow", metric: "feedback_loss", maxTrials: 3), "grow")
        let extended = CLIFixture.run(["run", path, "--db", db, "--runs", runs, "--quiet"])
        XCTAssertEqual(extended.status, 0, extended.stderr)
        let after = try store.trials(sweepID: id)
        XCTAssertEqual(after.map(\.number), [1, 2, 3])
        XCTAssertEqual(Array(after.prefix(2)).map(\.endedAt), first.map(\.endedAt), "the old trials did not run again")
        XCTAssertEqual(after.map(\.attempt), [1, 1, 1])
        XCTAssertEqual(try XCTUnwrap(store.sweep(named: "grow")).state, .finished)

        _ = try write(tinySpec(name: "grow", metric: "feedback_loss", maxTrials: 3, seed: 2), "grow")
        let refused = CLIFixture.run(["run", path, "--db", db, "--runs", runs, "--quiet"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("search.seed: 1 → 2"), "field by field: \(refused.stderr)")
    }

    func testRelativeInputsResolveAgainstTheSpecsDirectoryFromAnywhere() throws {
        let specDir = CLIFixture.dir + "/specs-here"
        let elsewhere = CLIFixture.dir + "/elsewhere"
        for d in [specDir, elsewhere] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        let relative = tinySpec(name: "from-anywhere", metric: "feedback_loss", maxTrials: 1)
            .replacingOccurrences(of: "base: \(CLIFixture.dir)/base.ckpt", with: "base: ../base.ckpt")
            .replacingOccurrences(of: "data: \(CLIFixture.dir)/data", with: "data: ../data")
        XCTAssertTrue(relative.contains("base: ../base.ckpt"))
        let path = specDir + "/spec.yaml"
        try relative.write(toFile: path, atomically: true, encoding: .utf8)
        let db = database("from-anywhere")
        let r = CLIFixture.run(["run", path, "--db", db, "--runs", elsewhere + "/runs", "--quiet"], cwd: elsewhere)
        XCTAssertEqual(r.status, 0, r.stderr)
        let store = try SweepStore.open(path: db)
        let trials = try store.trials(sweepID: try XCTUnwrap(store.sweep(named: "from-anywhere")).id)
        XCTAssertEqual(trials.map(\.state), [.completed])
    }

    func testABrokenInputFailsTheCommandBeforeAnyTrialWithTheEnginesField() throws {
        let broken = tinySpec(name: "broken-data", metric: "feedback_loss", maxTrials: 4)
            .replacingOccurrences(of: "data: \(CLIFixture.dir)/data", with: "data: no-such-data")
        let db = database("broken-data")
        let r = CLIFixture.run(["run", try write(broken, "broken-data"), "--db", db, "--runs",
                                CLIFixture.dir + "/runs-broken", "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--check): data: "), r.stderr)
        XCTAssertTrue(r.stderr.contains(CLIFixture.dir + "/no-such-data"), "resolved against the spec's directory: \(r.stderr)")
        let store = try SweepStore.open(path: db)
        XCTAssertNil(try store.sweep(named: "broken-data"), "no sweep, no failed trials recorded")
    }

    func testWarmStartFromAnotherSweepSkipsTheGridPointsItEvaluated() throws {
        let db = database("warm")
        let runs = CLIFixture.dir + "/runs-warm"
        func grid(_ name: String, maxTrials: Int) -> String {
            tinySpec(name: name, metric: "feedback_loss", maxTrials: maxTrials)
                .replacingOccurrences(of: "learner.lr: {log_uniform: [3.0e-4, 3.0e-3]}",
                                      with: "learner.lr: {choice: [0.001, 0.002, 0.003]}")
                .replacingOccurrences(of: "search: {algorithm: random, seed: 1}", with: "search: {algorithm: grid}")
        }
        XCTAssertEqual(CLIFixture.run(["run", try write(grid("grid-a", maxTrials: 2), "grid-a"), "--db", db,
                                       "--runs", runs, "--quiet"]).status, 0)
        let b = try write(grid("grid-b", maxTrials: 1), "grid-b")
        let r = CLIFixture.run(["run", b, "--db", db, "--runs", runs, "--quiet", "--warm-start-from", "grid-a"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let store = try SweepStore.open(path: db)
        let sweepB = try XCTUnwrap(store.sweep(named: "grid-b"))
        let lrs = try store.trials(sweepID: sweepB.id).map { $0.params["learner.lr"] }
        XCTAssertEqual(lrs, [.double(0.003)], "the two points grid-a evaluated are skipped")
        XCTAssertTrue(try XCTUnwrap(sweepB.provenance).contains("\"warm_start_from\":\"grid-a\""))

        let random = try write(tinySpec(name: "rand-c", metric: "feedback_loss", maxTrials: 1), "rand-c")
        let refused = CLIFixture.run(["run", random, "--db", db, "--runs", runs, "--quiet", "--warm-start-from", "grid-a"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("does not learn from earlier trials"), refused.stderr)
    }

    /// Content hash of every file under `directory`, keyed by relative path.
    private func hashes(under directory: String) throws -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return out }
        while let name = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[name] = FNV1a64.hash(try Data(contentsOf: URL(fileURLWithPath: path)))
            }
        }
        return out
    }
}
