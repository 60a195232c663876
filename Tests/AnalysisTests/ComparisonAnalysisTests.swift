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
        // 3 pairs: the exact sign-flip p is primary, no bootstrap column (notes say why), IQM for the median.
        XCTAssertEqual(readable.headers, ["arm", "n", "test_pass1 mean ± sd", "IQM", "Δ vs baseline", "95% CI t",
                                          "p sign-flip", "p Holm", "p (t)", "P(better than baseline)",
                                          "val_loss mean ± sd", "train s", "load"])
        XCTAssertEqual(readable.rows[0], ["baseline", "3", "0.2 ± 0.1", "0.2", "–", "", "", "", "", "", "1.2 ± 0.1", "30.0", "1.00"])
        XCTAssertEqual(readable.rows[1][0...4], ["vpt", "3", "0.2333 ± 0.11", "0.2333", "+0.03333"])
        XCTAssertEqual(readable.rows[1][6...7], ["0.25", "0.25"], "3 positive differences: exact p = 2/2³, one arm: Holm = p")
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

    /// The quickstart's situation: 3 seeds, every difference of one sign, a t-test p near
    /// 0.07 — the sign-flip p stays at its floor of 0.25 and the bootstrap is not shown.
    func testThreeSeedsNeverGiveASignFlipPBelowAQuarterAndSayWhyNoBootstrap() throws {
        let runs = [run(1, "baseline", seed: 1, value: 0.10), run(2, "vpt", seed: 1, value: 0.1137),
                    run(3, "baseline", seed: 2, value: 0.20), run(4, "vpt", seed: 2, value: 0.2051),
                    run(5, "baseline", seed: 3, value: 0.30), run(6, "vpt", seed: 3, value: 0.3102)]
        let analysis = try ComparisonAnalysis(runs: runs, settings: settings())
        let vpt = try XCTUnwrap(analysis.arms[1].paired)
        XCTAssertEqual(vpt.signFlip.pValue, 0.25)
        XCTAssertTrue(vpt.signFlip.exact)
        XCTAssertLessThan(try XCTUnwrap(vpt.tTest?.pValue), 0.25, "the t-test alone would look stronger")
        XCTAssertFalse(vpt.bootstrapShown)
        let table = try analysis.readableTable()
        XCTAssertFalse(table.headers.contains { $0.contains("bootstrap") })
        let notes = analysis.notes()
        XCTAssertTrue(notes.contains { $0.hasPrefix("bootstrap not shown: n=3 pairs give only 10 distinct resamples") }, "\(notes)")
        XCTAssertTrue(notes.contains("n = 3 pairs: the smallest sign-flip p attainable is 0.25; no result can reach p < 0.05 with fewer than 6 pairs"), "\(notes)")
        let mde = try XCTUnwrap(vpt.minimumDetectableDifference)
        XCTAssertEqual(mde, try PairedPower.detectableEffect(pairs: 3) * vpt.standardDeviation!, accuracy: 1e-15)
        XCTAssertTrue(notes.contains { $0.hasPrefix("vpt: minimum detectable Δ at 80% power") }, "\(notes)")
        let data = try analysis.dataTable()
        let row = Dictionary(uniqueKeysWithValues: zip(data.headers, data.rows[1]))
        XCTAssertEqual(row["p_signflip"], "0.25")
        XCTAssertEqual(row["smallest_p"], "0.25")
        XCTAssertEqual(row["bootstrap_lower"], "", "no bootstrap below 10 pairs in the data either")
        XCTAssertEqual(row["p_bootstrap"], "")
        for cell in data.rows.compactMap({ Dictionary(uniqueKeysWithValues: zip(data.headers, $0))["p_signflip"] }) where !cell.isEmpty {
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(Double(cell)), 0.25)
        }
    }

    func testHolmAcrossArmsReportMetricDifferencesAndSeedsNeeded() throws {
        var runs: [ArmRun] = []
        var number: Int64 = 0
        let seeds: [Int64] = Array(1...12)
        for seed in seeds {
            for (arm, shift, frequency) in [("baseline", 0.0, 1.3), ("a", 0.05, 1.7), ("b", 0.0, 2.1)] {
                number += 1
                let noise = 0.01 * sin(Double(seed) * frequency)
                runs.append(ArmRun(number: number, arm: arm, seed: seed, state: .completed, value: 0.3 + shift + noise,
                                   finalMetrics: ["val_loss": 2 - shift + noise], curve: [], updates: 60, trainSeconds: 1,
                                   loadMean: nil))
            }
        }
        let analysis = try ComparisonAnalysis(runs: runs, settings: .init(
            arms: ["baseline", "a", "b"], reference: "baseline", seeds: seeds, metric: "test_pass1",
            reportMetrics: ["val_loss"], wallClock: false, resamples: 500, bootstrapSeed: 3))
        let a = analysis.arms[1], b = analysis.arms[2]
        let raw = [a.paired!.signFlip.pValue, b.paired!.signFlip.pValue]
        XCTAssertEqual(a.holmP, Holm.adjust(raw)[0])
        XCTAssertEqual(b.holmP, Holm.adjust(raw)[1])
        XCTAssertEqual(a.paired!.signFlip.pValue, 2.0 / 4096, "12 positive differences: exact 2/2¹²")
        XCTAssertEqual(try XCTUnwrap(a.holmP), 4.0 / 4096, accuracy: 1e-18, "Holm: the smaller of two p-values × 2")
        // Every report metric gets its own paired difference and Holm p.
        let loss = try XCTUnwrap(a.reportPaired["val_loss"])
        XCTAssertEqual(loss.meanDifference, a.paired!.meanDifference - 2 * 0.05, accuracy: 1e-12)
        XCTAssertNotNil(a.reportHolmP["val_loss"])
        XCTAssertTrue(a.paired!.bootstrapShown, "12 pairs: the bootstrap interval is shown")
        XCTAssertNotNil(a.iqmInterval)
        XCTAssertEqual(try XCTUnwrap(a.improvement), 1, "every run of a beats every run of baseline")
        XCTAssertTrue(try analysis.readableTable().headers.contains("95% CI bootstrap"))
        let diffs = try analysis.differencesTable()
        XCTAssertEqual(diffs.rows.map { $0[0] + " " + $0[1] }, ["test_pass1 a", "test_pass1 b", "val_loss a", "val_loss b"])
        // Seeds for an effect: the pairs the t-test needs at the observed sd, never fewer than 6.
        let lines = try analysis.seedsNeeded(for: 0.005)
        XCTAssertEqual(lines.count, 2)
        let sd = a.paired!.standardDeviation!
        let needed = try XCTUnwrap(PairedPower.pairsNeeded(standardizedEffect: 0.005 / sd))
        XCTAssertTrue(lines[0].contains(": \(max(needed, 6)) seeds for 80% power"), lines[0])
    }
}
