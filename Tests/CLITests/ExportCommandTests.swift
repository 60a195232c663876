import Foundation
import SweepStore
import XCTest

/// `vsweep export`: every report metric of every trial in long format, at full precision.
final class ExportCommandTests: XCTestCase {
    override func setUpWithError() throws {
        XCTAssertEqual(CLIFixture.comparisonRun.status, 0, CLIFixture.comparisonRun.stderr)
        XCTAssertEqual(CLIFixture.sweepRun.status, 0, CLIFixture.sweepRun.stderr)
    }

    /// Every (trial, report, metric) of the store, as (trial, step, attempt, metric) → value.
    private func stored(_ name: String) throws -> [String: Double] {
        let store = try SweepStore.open(path: CLIFixture.database)
        let sweep = try XCTUnwrap(store.sweep(named: name))
        var out: [String: Double] = [:]
        for trial in try store.trials(sweepID: sweep.id) {
            for report in try store.reports(trialID: trial.id) {
                for (metric, value) in report.metrics { out["\(trial.number)/\(report.step)/\(report.attempt)/\(metric)"] = value }
            }
        }
        return out
    }

    func testCSVHasEveryMetricOfEveryReportAndRoundTripsTheDoubles() throws {
        let r = CLIFixture.run(["export", "tiny-compare", "--db", CLIFixture.database, "--format", "csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        XCTAssertEqual(Array(header.prefix(15)), ["sweep", "spec_hash", "trial", "attempt", "arm", "seed", "state", "final", "step",
                                                  "tokens", "train_seconds", "eval_seconds", "recorded_at", "metric", "value"])
        let expected = try stored("tiny-compare")
        XCTAssertEqual(lines.count - 1, expected.count, "one row per trial, report and metric")
        let column = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        var seen = Set<String>()
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let key = "\(f[column["trial"]!])/\(f[column["step"]!])/\(f[column["attempt"]!])/\(f[column["metric"]!])"
            let value = try XCTUnwrap(expected[key], key)
            if value.isNaN { XCTAssertEqual(f[column["value"]!], "nan") } else {
                XCTAssertEqual(Double(f[column["value"]!]), value, "\(key): full precision, exact round trip")
            }
            XCTAssertTrue(["baseline", "vpt"].contains(f[column["arm"]!]), line)
            XCTAssertTrue(["3", "4"].contains(f[column["seed"]!]), line)
            seen.insert(key)
        }
        XCTAssertEqual(seen.count, expected.count)
        XCTAssertTrue(r.stderr.isEmpty, "data only on stdout, nothing else: \(r.stderr)")
    }

    func testJSONLinesAndOutFileAndParameters() throws {
        let path = CLIFixture.dir + "/tiny.jsonl"
        let r = CLIFixture.run(["export", "tiny", "--db", CLIFixture.database, "--format", "jsonl", "--out", path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "", "with --out nothing goes to stdout")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, try stored("tiny").count)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["sweep"] as? String, "tiny")
        XCTAssertNotNil(first["param.learner.lr"] as? Double, "parameters are columns: \(first)")
        XCTAssertNotNil(first["param.learner.weight_decay"], "\(first)")
        XCTAssertNotNil(first["tokens"] as? Int)
        let missing = CLIFixture.run(["export", "no-such-sweep", "--db", CLIFixture.database])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no sweep named"), missing.stderr)
    }
}
