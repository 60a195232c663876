import XCTest
@testable import TrialProtocol

final class TrialEventTests: XCTestCase {
    func testRoundTripEveryKind() throws {
        let events: [TrialEvent] = [
            .started(.init(trial: "s1-7", engine: "vsweep 0.1.0",
                           config: .object(["arm": .string("vpt"), "lr": .number(3e-4)]))),
            .report(.init(updates: 50, tokens: 102_400, trainSeconds: 12.5, evalSeconds: 1.25,
                          metrics: ["val_pass1": 0.125, "loss": 2.5], timings: ["tangent": 0.5])),
            .checkpoint(.init(path: "/tmp/ckpt/a b.vsw", updates: 50)),
            .finished(.init(reason: .budget, updates: 100, metrics: ["test_pass1": 0.25])),
            .error(.init(message: "learner.lr must be > 0", field: "learner.lr")),
        ]
        for e in events {
            let line = e.jsonLine()
            XCTAssertFalse(line.contains("\n"))
            XCTAssertTrue(line.hasPrefix("{\"event\":\"\(e.kind)\""), line)
            XCTAssertEqual(try TrialEvent(jsonLine: line), e)
        }
    }

    func testExactWireFormat() {
        let line = TrialEvent.report(.init(updates: 3, tokens: 48, trainSeconds: 0.5, metrics: ["loss": 1.5])).jsonLine()
        XCTAssertEqual(line, #"{"event":"report","metrics":{"loss":1.5},"tokens":48,"train_seconds":0.5,"updates":3}"#)
    }

    func testNonFiniteMetricsSurvive() throws {
        let line = #"{"event":"report","updates":1,"tokens":2,"train_seconds":0.1,"metrics":{"loss":"NaN","x":"-Infinity","y":1}}"#
        guard case .report(let r) = try TrialEvent(jsonLine: line) else { return XCTFail("not a report") }
        XCTAssertTrue(r.metrics["loss"]!.isNaN)
        XCTAssertEqual(r.metrics.nonFiniteKeys, ["loss", "x"])
        let again = TrialEvent.report(r).jsonLine()
        XCTAssertTrue(again.contains(#""loss":"NaN""#), again)
    }

    /// Issue 11, item 5: Python's `json.dumps` writes bare NaN / Infinity; such a report
    /// used to be dropped as garbage, so a diverged trial ended "completed".
    func testBareNonFiniteTokensOfPythonAreNonFiniteValues() throws {
        let line = #"{"event": "report", "updates": 3, "tokens": 0, "train_seconds": 0.5, "#
            + #""metrics": {"loss": NaN, "up": Infinity, "down": -Infinity, "note_NaN": 1}}"#
        guard case .report(let r) = try TrialEvent(jsonLine: line) else { return XCTFail("not a report") }
        XCTAssertTrue(r.metrics["loss"]!.isNaN)
        XCTAssertEqual(r.metrics["up"], .infinity)
        XCTAssertEqual(r.metrics["down"], -.infinity)
        XCTAssertEqual(r.metrics["note_NaN"], 1)
        XCTAssertEqual(r.metrics.nonFiniteKeys, ["down", "loss", "up"])
        let finished = #"{"event": "finished", "reason": "budget", "metrics": {"loss": NaN}}"#
        guard case .finished(let f) = try TrialEvent(jsonLine: finished) else { return XCTFail("not finished") }
        XCTAssertTrue(f.metrics["loss"]!.isNaN)
        // Inside strings the words stay text, and a line that is not JSON stays refused.
        let error = #"{"event": "error", "message": "loss is NaN, lr Infinity"}"#
        XCTAssertEqual(try TrialEvent(jsonLine: error), .error(.init(message: "loss is NaN, lr Infinity")))
        XCTAssertThrowsError(try TrialEvent(jsonLine: "step 3: loss NaN"))
    }

    func testGarbageIsRejectedWithReason() {
        for (line, fragment) in [
            ("hello", "not a protocol event"),
            ("{\"x\":1}", "not a protocol event"),
            ("{\"event\":\"dance\"}", "unknown event \"dance\""),
            ("{\"event\":\"report\",\"updates\":1}", "missing field"),
            ("{\"event\":\"finished\",\"reason\":\"bored\",\"metrics\":{}}", "bad field reason"),
        ] {
            XCTAssertThrowsError(try TrialEvent(jsonLine: line), line) { err in
                XCTAssertTrue("\(err)".contains(fragment), "\(line): \(err)")
            }
        }
    }
}
