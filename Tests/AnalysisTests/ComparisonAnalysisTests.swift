import Analysis
import SweepStore
import XCTest

/// The comparison glue on hand-made runs: pairing by seed, what is left out and why,
/// the warnings, and the cells of both tables.
final class ComparisonAnalysisTests: XCTestCase {
    private func run(_ number: Int64, _ arm: String, seed: Int64, value: Double?, state: TrialState = .completed,
                     updates: Int64 = 240, load: Double? = 1.0) -> ArmRun {
        ArmRun(number: number, arm: arm, seed: seed, state: state, value: value,
               finalMetrics: ["val_loss": 1 + (value ?? 0)],
               curve: [.init(step: 10, metrics: ["train_loss": 3]), .init(step: 20, metrics: ["train_loss": 2])],
               updates: updates, trainSeconds: 30, loadMean: load)
    }

    private func settings(wallClock: Bool = false) -> ComparisonAnalysis.Settings {
        .init(arms: ["baseline", "vpt"], reference: "baseline", seeds: [1, 2, 3], metric: "test_pass1",
              reportMetrics: ["val_loss"], wallClock: wallClock, resamples: 2000, bootstrapSeed: 7)
    }

    func testDifferencesArePairedBySeedAndFailedRunsAreLeftOut() throws {
        let runs = [run(1, "baseline", seed: 1, value: 0.10), run(2, "vpt", seed: 1, value: 0.12),
                    run(3, "baseline", seed: 2, value: 0.20), run(4, "vpt", seed: 2, value: 0.25),
                    run(5, "baseline", seed: 3, value: 0.30), run(6, "vpt", seed: 3, value: nil, state: .failed)]
        let analysis = try ComparisonAnalysis(runs: runs, settings: settings())
        let baseline = analysis.arms[0], vpt = analysis.arms[1]
        XCTAssertEqual(baseline.values.map(\.value), [0.10, 0.20, 0.30])
        XCTAssertEqual(try XCTUnwrap(baseline.summary).mean, 0.2, accuracy: 1e-15)
        XCTAssertNil(baseline.paired)
        XCTAssertEqual(vpt.pairedSeeds, [1, 2])
        let paired = try XCTUnwrap(vpt.paired)
        XCTAssertEqual(paired.differences[0], 0.02, accuracy: 1e-15)
        XCTAssertEqual(paired.differences[1], 0.05, accuracy: 1e-15)
        let direct = try PairedComparison(arm: [0.12, 0.25], reference: [0.10, 0.20], resamples: 2000, seed: 7)
        XCTAssertEqual(paired, direct)
        XCTAssertEqual(analysis.pending, 0)
        XCTAssertEqual(analysis.warnings, ["vpt, seed 3: failed — left out", "vpt vs baseline: 2 of 3 seeds paired"])
        XCTAssertEqual(try XCTUnwrap(vpt.reportSummaries["val_loss"]).mean, 1.185, accuracy: 1e-12)
    }

    func testReadableAndDataTables() throws {
        let runs = [run(1, "baseline", seed: 1, value: 0.10), run(2, "vpt", seed: 1, value: 0.12),
                    run(3, "baseline", seed: 2, value: 0.20), run(4, "vpt", seed: 2, value: 0.25),
                    run(5, "baseline", seed: 3, value: 0.30), run(6, "vpt", seed: 3, value: 0.33)]
        let analysis = try ComparisonAnalysis(runs: runs, settings: settings())
        let readable = try analysis.readableTable()
        XCTAssertEqual(readable.headers, ["arm", "n", "test_pass1 mean ± sd", "median", "Δ vs baseline",
                                          "95% CI bootstrap", "95% CI t", "p (t)", "p (bootstrap)",
                                          "val_loss mean ± sd", "train s", "load"])
        XCTAssertEqual(readable.rows[0], ["baseline", "3", "0.2 ± 0.1", "0.2", "–", "", "", "", "", "1.2 ± 0.1", "30.0", "1.00"])
        XCTAssertEqual(readable.rows[1][0...4], ["vpt", "3", "0.2333 ± 0.11", "0.25", "+0.03333"])
        // d = (0.02, 0.05, 0.03): mean 0.03333, sd 0.01528, t = 3.780, df 2, p = 0.063414188 (scipy.stats.ttest_rel).
        let data = try analysis.dataTable()
        let row = Dictionary(uniqueKeysWithValues: zip(data.headers, data.rows[1]))
        XCTAssertEqual(try XCTUnwrap(Double(row["t"]!)), 3.7796447300922735, accuracy: 1e-12)
        XCTAssertEqual(row["df"], "2")
        XCTAssertEqual(try XCTUnwrap(Double(row["p_t"]!)), 0.063414188418306, accuracy: 1e-12)
        XCTAssertEqual(data.rows[0][5], "", "no difference for the reference arm")
        XCTAssertTrue(data.render(.csv).hasPrefix("arm,n,mean,sd,median,diff,"))
    }

    func testWallClockComparisonsWarnWhenArmsSawDifferentLoads() throws {
        let fair = [run(1, "baseline", seed: 1, value: 0.1, load: 2.0), run(2, "vpt", seed: 1, value: 0.1, load: 2.3)]
        var s = settings(wallClock: true)
        s.seeds = [1]
        XCTAssertEqual(try ComparisonAnalysis(runs: fair, settings: s).warnings, [])
        let unfair = [run(1, "baseline", seed: 1, value: 0.1, load: 1.0), run(2, "vpt", seed: 1, value: 0.1, load: 3.1)]
        let warnings = try ComparisonAnalysis(runs: unfair, settings: s).warnings
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("baseline 1.00, vpt 3.10"), warnings[0])
        XCTAssertTrue(try ComparisonAnalysis(runs: unfair, settings: settings()).warnings.allSatisfy { !$0.contains("load") },
                      "matched updates: load does not decide the result")
        let table = try ComparisonAnalysis(runs: fair, settings: s).readableTable()
        XCTAssertTrue(table.headers.contains("updates"))
    }

    func testPartialResultsAreFlagged() throws {
        let runs = [run(1, "baseline", seed: 1, value: 0.1), run(2, "vpt", seed: 1, value: nil, state: .running)]
        let analysis = try ComparisonAnalysis(runs: runs, settings: settings())
        XCTAssertEqual(analysis.pending, 1 + 4)
        XCTAssertEqual(analysis.warnings.first, "5 run(s) not finished yet: partial results")
        XCTAssertThrowsError(try ComparisonAnalysis(runs: runs, settings: .init(
            arms: ["a", "b"], reference: "c", seeds: [1], metric: "m", wallClock: false)))
    }

    func testPlotsHaveOneSeriesPerArm() throws {
        let runs = [run(1, "baseline", seed: 1, value: 0.10), run(2, "vpt", seed: 1, value: 0.12)]
        var s = settings()
        s.seeds = [1]
        let analysis = try ComparisonAnalysis(runs: runs, settings: s)
        XCTAssertEqual(ComparisonAnalysis.curveMetrics(runs, metric: "test_pass1"), ["train_loss"])
        let curves = analysis.learningCurves(runs, metric: "train_loss")
        XCTAssertEqual(curves.series.map(\.name), ["baseline", "vpt"])
        XCTAssertEqual(curves.series[0].points.map(\.x), [10, 20])
        XCTAssertEqual(curves.series[0].points.map(\.mean), [3, 2])
        let dots = analysis.finalPerSeed()
        XCTAssertEqual(dots.rows.map(\.values), [[0.10, 0.12]])
    }
}
