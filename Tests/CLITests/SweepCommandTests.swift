import Foundation
import SweepStore
import TrialProtocol
import XCTest

/// `vsweep run` on the built-in engine, then status / trials / best / show against the
/// database it wrote.
final class SweepCommandTests: XCTestCase {
    override func setUpWithError() throws {
        let run = CLIFixture.sweepRun
        XCTAssertEqual(run.status, 0, "vsweep run failed:\n\(run.stdout)\n\(run.stderr)")
    }

    func testTheSweepRanEveryTrialUnderASHA() throws {
        let store = try SweepStore.open(path: CLIFixture.database)
        let sweep = try XCTUnwrap(store.sweep(named: "tiny"))
        XCTAssertEqual(sweep.state, .finished)
        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(trials.count, 5)
        XCTAssertTrue(trials.allSatisfy { $0.state == .completed || $0.state == .stoppedEarly },
                      trials.map { "\($0.number): \($0.state) \($0.error ?? "")" }.joined(separator: "\n"))
        XCTAssertGreaterThan(trials.filter { $0.state == .stoppedEarly }.count, 0, "ASHA stops someone at rung 4")
        XCTAssertTrue(CLIFixture.sweepRun.stdout.contains("sweep tiny finished"), CLIFixture.sweepRun.stdout)
    }

    func testStatusListsTheSweep() {
        let r = CLIFixture.run(["status", "--db", CLIFixture.database])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("tiny"), r.stdout)
        XCTAssertTrue(r.stdout.contains("feedback_loss (minimize)"), r.stdout)
    }

    func testTrialsAsJSONAndCSVAgree() throws {
        let json = CLIFixture.run(["trials", "tiny", "--db", CLIFixture.database, "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        guard case .array(let rows) = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8)) else {
            return XCTFail("not a JSON array: \(json.stdout)")
        }
        XCTAssertEqual(rows.count, 5)
        let csv = CLIFixture.run(["trials", "tiny", "--db", CLIFixture.database, "--csv"])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let lines = csv.stdout.split(separator: "\n")
        XCTAssertEqual(lines.first, "number,state,attempt,updates,value,learner.lr,learner.weight_decay")
        XCTAssertEqual(lines.count, 6)
        let completed = CLIFixture.run(["trials", "tiny", "--db", CLIFixture.database, "--state", "completed", "--csv"])
        XCTAssertTrue(completed.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.contains(",completed,") })
    }

    func testBestIsARunnableTrialConfigOfTheBestCompletedTrial() throws {
        let r = CLIFixture.run(["best", "tiny", "--db", CLIFixture.database, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        guard case .object(let config) = try JSONDecoder().decode(JSONValue.self, from: Data(r.stdout.utf8)) else {
            return XCTFail(r.stdout)
        }
        XCTAssertEqual(config["arm"], .string("baseline"))
        XCTAssertEqual(config["budget"], .object(["updates": .number(12)]))
        let store = try SweepStore.open(path: CLIFixture.database)
        let best = try XCTUnwrap(store.best(sweepID: try XCTUnwrap(store.sweep(named: "tiny")).id).first)
        XCTAssertEqual(config["trial"], .string("tiny-\(best.number)-rerun"))
        guard case .object(let learner)? = config["learner"], case .number(let lr)? = learner["lr"],
              case .double(let stored)? = best.params["learner.lr"] else { return XCTFail("\(config)") }
        XCTAssertEqual(lr, stored)
    }

    func testShowPrintsTheLearningCurveAndWhyItEnded() throws {
        let store = try SweepStore.open(path: CLIFixture.database)
        let sweep = try XCTUnwrap(store.sweep(named: "tiny"))
        let stopped = try XCTUnwrap(store.trials(sweepID: sweep.id, state: .stoppedEarly).first)
        let r = CLIFixture.run(["show", "tiny-\(stopped.number)", "--db", CLIFixture.database])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("stopped_early"), r.stdout)
        XCTAssertTrue(r.stdout.contains("why it ended: asha"), r.stdout)
        XCTAssertTrue(r.stdout.contains("learning curve (feedback_loss)"), r.stdout)
    }

    func testUnknownSweepAndTrialAreErrorsWithExitTwo() {
        let r = CLIFixture.run(["trials", "nope", "--db", CLIFixture.database])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("no sweep named \"nope\""), r.stderr)
        XCTAssertTrue(r.stderr.contains("tiny"), "lists the known sweeps: \(r.stderr)")
        let s = CLIFixture.run(["show", "tiny-99", "--db", CLIFixture.database])
        XCTAssertEqual(s.status, 2)
        XCTAssertTrue(s.stderr.contains("no trial 99"), s.stderr)
    }
}
