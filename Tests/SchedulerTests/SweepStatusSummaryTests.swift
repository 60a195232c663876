import Vocabulary
import Scheduler
import SweepStore
import XCTest

final class SweepStatusSummaryTests: XCTestCase {
    private func spec(stopping: SweepSpec.StoppingSpec = .asha(minResource: 40, reductionFactor: 3, maxResource: 360),
                      maxTrials: Int? = 10, parallel: Int = 2) -> SweepSpec {
        SweepSpec(name: "q", engine: .builtin, space: [], stopping: stopping, metric: "val_loss", goal: .minimize,
                  budget: .updates(360), maxTrials: maxTrials, parallelTrials: parallel)
    }

    private func progress(running: [SweepProgress.Running] = [], best: SweepProgress.Best? = nil) -> SweepProgress {
        SweepProgress(sweep: "q", running: running, best: best, elapsedSeconds: 75, creationClosed: nil)
    }

    func testRungsAreMinResourceTimesPowersOfEta() {
        XCTAssertEqual(SweepStatusSummary.rungs(of: .asha(minResource: 40, reductionFactor: 3, maxResource: 360)),
                       [40, 120, 360])
        XCTAssertEqual(SweepStatusSummary.rungs(of: .hyperband(minResource: 1, reductionFactor: 3, maxResource: 27)),
                       [1, 3, 9, 27])
        XCTAssertEqual(SweepStatusSummary.rungs(of: .median(warmupSteps: 5, minPeers: 3)), [])
        let summary = SweepStatusSummary(spec: spec(), progress: progress(), counts: [:], endedSeconds: [])
        XCTAssertEqual(summary.rung(atStep: 39), 0)
        XCTAssertEqual(summary.rung(atStep: 40), 1)
        XCTAssertEqual(summary.rung(atStep: 200), 2)
    }

    func testETASpreadsWaitingAndRunningWorkOverTheSlots() throws {
        // 10 trials; 4 ended (mean 100 s), 2 running (30 s and 130 s in), 1 queued,
        // 3 not created: (4 waiting × 100 + (70 + 0)) / 2 slots = 235 s.
        let running = [SweepProgress.Running(number: 5, attempt: 1, step: 80, value: 1.5, seconds: 30),
                       SweepProgress.Running(number: 6, attempt: 2, step: 10, value: nil, seconds: 130)]
        let summary = SweepStatusSummary(
            spec: spec(), progress: progress(running: running, best: .init(number: 2, value: 1.25)),
            counts: [.completed: 3, .stoppedEarly: 1, .running: 2, .queued: 1], endedSeconds: [50, 150, 100, 100])
        XCTAssertEqual(try XCTUnwrap(summary.etaSeconds), 235, accuracy: 1e-9)
        let lines = summary.lines
        XCTAssertEqual(lines[0], "q: 4/10 ended (3 completed, 1 stopped, 1 queued) · 2 running · 1m15s elapsed · ETA ~3m55s")
        XCTAssertEqual(lines[1], "best: trial 2, val_loss = 1.25")
        XCTAssertEqual(lines[2], "  #5  step 80/360  rung 1/3  val_loss 1.5  30s")
        XCTAssertEqual(lines[3], "  #6  step 10/360  rung 0/3  val_loss -  2m10s  (attempt 2)")
    }

    func testNoETABeforeAnyTrialEndedOrWithoutMaxTrials() {
        XCTAssertNil(SweepStatusSummary(spec: spec(), progress: progress(), counts: [.running: 2], endedSeconds: []).etaSeconds)
        XCTAssertNil(SweepStatusSummary(spec: spec(maxTrials: nil), progress: progress(), counts: [:],
                                        endedSeconds: [10]).etaSeconds)
        let lines = SweepStatusSummary(spec: spec(stopping: .none, maxTrials: nil), progress: progress(),
                                       counts: [:], endedSeconds: []).lines
        XCTAssertEqual(lines[0], "q: 0/? ended · 0 running · 1m15s elapsed · ETA ?")
        XCTAssertEqual(lines[1], "best: none yet")
    }

    func testDurations() {
        XCTAssertEqual(SweepStatusSummary.duration(9), "9s")
        XCTAssertEqual(SweepStatusSummary.duration(75), "1m15s")
        XCTAssertEqual(SweepStatusSummary.duration(3725), "1h02m")
    }
}
