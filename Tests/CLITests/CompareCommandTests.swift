import Foundation
import SweepStore
import TrialProtocol
import XCTest

/// `vsweep compare` on the built-in engine (2 arms × 2 seeds, tiny model), its output
/// formats, resuming, and `vsweep report` for both a comparison and a sweep.
final class CompareCommandTests: XCTestCase {
    override func setUpWithError() throws {
        let run = CLIFixture.comparisonRun
        XCTAssertEqual(run.status, 0, "vsweep compare failed:\n\(run.stdout)\n\(run.stderr)")
    }

    func testEveryArmRanAtEverySeedWithThatSeed() throws {
        let store = try SweepStore.open(path: CLIFixture.database)
        let sweep = try XCTUnwrap(store.sweep(named: "tiny-compare"))
        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(trials.map(\.arm), ["baseline", "vpt", "baseline", "vpt"])
        XCTAssertEqual(trials.map(\.seed), [3, 3, 4, 4])
        XCTAssertTrue(trials.allSatisfy { $0.state == .completed && $0.updatesDone == 8 },
                      trials.map { "\($0.number) \($0.state) \($0.error ?? "")" }.joined(separator: "\n"))
        for trial in trials {
            let attempt = try XCTUnwrap(store.attempts(trialID: trial.id).last)
            XCTAssertNotNil(attempt.loadMean, "the machine load is recorded with every run")
        }
    }

    func testTheTableHasOneRowPerArmWithTheDifferenceToTheReference() {
        let out = CLIFixture.comparisonRun.stdout
        XCTAssertTrue(out.contains("tiny-compare: 2 arms × 2 seeds, budget 8 updates, test_pass1 (maximize)"), out)
        let lines = out.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("baseline  2") }, out)
        XCTAssertTrue(lines.contains { $0.hasPrefix("vpt       2") }, out)
        XCTAssertTrue(out.contains("Δ vs baseline"), out)
        XCTAssertTrue(out.contains("p sign-flip"), out)
        XCTAssertFalse(out.contains("p (bootstrap)"), out)
        XCTAssertTrue(out.contains("note: n = 2 pairs: the smallest sign-flip p attainable is 0.5"), out)
        XCTAssertTrue(out.contains("note: bootstrap not shown: n=2 pairs give only 3 distinct resamples"), out)
        XCTAssertTrue(out.contains("Δ for every metric"), out)
    }

    func testSeedsForPrintsTheSeedsAnEffectNeeds() {
        let r = CLIFixture.run(["compare", CLIFixture.comparisonPath, "--db", CLIFixture.database, "--no-run",
                                "--seeds-for", "0.05"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("seeds: vpt vs baseline: Δ = +0.05"), r.stdout)
    }

    func testJSONAgreesWithTheStoredRunsAndCSVHasTheSameColumns() throws {
        let json = CLIFixture.run(["compare", CLIFixture.comparisonPath, "--db", CLIFixture.database, "--no-run",
                                   "--format", "json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        guard case .array(let rows) = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8)),
              case .object(let baseline) = rows.first, case .object(let vpt) = rows.last else {
            return XCTFail(json.stdout)
        }
        XCTAssertEqual(baseline["arm"], .string("baseline"))
        XCTAssertEqual(baseline["n"], .number(2))
        // The mean the table prints is the mean of the stored final values.
        let store = try SweepStore.open(path: CLIFixture.database)
        let trials = try store.trials(sweepID: try XCTUnwrap(store.sweep(named: "tiny-compare")).id)
        let mean = { (arm: String) in trials.filter { $0.arm == arm }.compactMap(\.finalValue).reduce(0, +) / 2 }
        guard case .number(let bMean)? = baseline["mean"], case .number(let vMean)? = vpt["mean"] else {
            return XCTFail("\(baseline) \(vpt)")
        }
        XCTAssertEqual(bMean, mean("baseline"), accuracy: 1e-12)
        XCTAssertEqual(vMean, mean("vpt"), accuracy: 1e-12)
        if case .number(let diff)? = vpt["diff"] { XCTAssertEqual(diff, vMean - bMean, accuracy: 1e-12) }
        else { XCTFail("no diff: \(vpt)") }
        let csv = CLIFixture.run(["compare", CLIFixture.comparisonPath, "--db", CLIFixture.database, "--no-run",
                                  "--format", "csv"])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let header = csv.stdout.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        XCTAssertEqual(header.split(separator: ",").map(String.init), baseline.keys.sorted().isEmpty ? [] :
                        ["arm", "n", "mean", "sd", "median", "diff", "bootstrap_lower", "bootstrap_upper", "t_lower",
                         "t_upper", "t", "df", "p_t", "p_bootstrap", "val_loss_mean", "val_loss_sd", "updates_mean",
                         "train_seconds_mean", "load_mean",
                         "p_signflip", "signflip_exact", "signflip_mc_error", "p_holm", "smallest_p", "mde", "iqm",
                         "iqm_lower", "iqm_upper", "p_better", "p_better_lower", "p_better_upper",
                         "val_loss_diff", "val_loss_t_lower", "val_loss_t_upper", "val_loss_p_signflip", "val_loss_p_holm"])
        // 2 seeds: the exact sign-flip p is at least 0.5, and no bootstrap below 10 pairs.
        guard case .number(let pSignFlip)? = vpt["p_signflip"] else { return XCTFail("no sign-flip p: \(vpt)") }
        XCTAssertGreaterThanOrEqual(pSignFlip, 0.5)
        XCTAssertEqual(vpt["p_bootstrap"], .null)
        XCTAssertTrue(json.stderr.contains("note: bootstrap not shown: n=2 pairs give only 3 distinct resamples"), json.stderr)
        let markdown = CLIFixture.run(["compare", CLIFixture.comparisonPath, "--db", CLIFixture.database, "--no-run",
                                       "--format", "markdown"])
        XCTAssertTrue(markdown.stdout.contains("| arm "), markdown.stdout)
    }

    func testRunningItAgainResumesNothingAndAChangedSpecIsRefused() throws {
        let again = CLIFixture.run(["compare", CLIFixture.comparisonPath, "--db", CLIFixture.database,
                                    "--runs", CLIFixture.dir + "/runs", "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("the sweep is already finished") || !again.stdout.contains("started"),
                      again.stdout)
        let changed = CLIFixture.dir + "/changed.yaml"
        try CLIFixture.comparisonSpec.replacingOccurrences(of: "seeds: [3, 4]", with: "seeds: [3, 5]")
            .write(toFile: changed, atomically: true, encoding: .utf8)
        let refused = CLIFixture.run(["compare", changed, "--db", CLIFixture.database, "--runs", CLIFixture.dir + "/runs"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("tiny-compare"), refused.stderr)
    }

    func testABrokenSpecNamesItsFileAndLine() throws {
        let broken = CLIFixture.dir + "/broken.yaml"
        try CLIFixture.comparisonSpec.replacingOccurrences(of: "reference: baseline", with: "")
            .replacingOccurrences(of: "seeds: [3, 4]", with: "seeds: [3, 3]")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let r = CLIFixture.run(["compare", broken, "--db", CLIFixture.database, "--no-run"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("broken.yaml:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("seeds"), r.stderr)
    }

    func testReportsAreWrittenForAComparisonAndForASweep() throws {
        XCTAssertEqual(CLIFixture.sweepRun.status, 0)
        for (name, expected) in [("tiny-compare", ["final-per-seed.svg", "curve-train_loss.svg"]),
                                 ("tiny", ["rungs.svg", "curves.svg", "param-learner_lr.svg"])] {
            let out = CLIFixture.dir + "/report-\(name)"
            let r = CLIFixture.run(["report", name, "--db", CLIFixture.database, "--out", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            let html = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
            XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
            XCTAssertFalse(html.contains("<script"), "self-contained, no scripts")
            XCTAssertGreaterThanOrEqual(html.components(separatedBy: "<svg").count - 1, expected.count)
            let files = try FileManager.default.contentsOfDirectory(atPath: out)
            for file in expected { XCTAssertTrue(files.contains(file), "\(name): \(file) missing in \(files)") }
        }
    }

    func testReportPDFWritesEveryPlotAsAPDF() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") else {
            throw XCTSkip("rsvg-convert is not installed (scripts/setup installs librsvg2-bin)")
        }
        XCTAssertEqual(CLIFixture.comparisonRun.status, 0)
        let out = CLIFixture.dir + "/report-pdf"
        let r = CLIFixture.run(["report", "tiny-compare", "--db", CLIFixture.database, "--out", out, "--pdf"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        let svgs = files.filter { $0.hasSuffix(".svg") }
        XCTAssertFalse(svgs.isEmpty)
        XCTAssertTrue(files.contains("curve-train_loss_onehot.svg"), "the comparable loss has its curve: \(files)")
        for svg in svgs {
            let pdf = out + "/" + svg.dropLast(4) + ".pdf"
            let head = try XCTUnwrap(FileHandle(forReadingAtPath: pdf), "\(pdf) missing").readData(ofLength: 5)
            XCTAssertEqual(String(decoding: head, as: UTF8.self), "%PDF-")
        }
    }
}
