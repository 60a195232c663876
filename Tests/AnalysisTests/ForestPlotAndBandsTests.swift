import Analysis
import SweepStore
import XCTest

/// The comparison report's figures (issue 15, item 6): the forest plot of Δ with intervals
/// per arm, and learning-curve bands that are 95% t intervals, not ±sd.
final class ForestPlotAndBandsTests: XCTestCase {
    func testForestPlotDrawsEveryArmWithItsIntervalAndAZeroLine() {
        let plot = ForestPlot(title: "Δ loss vs baseline", yLabel: "Δ loss", rows: [
            .init(label: "vpt", estimate: -0.03, interval: ConfidenceInterval(lower: -0.06, upper: 0.004, level: 0.95),
                  detail: "n=5, p=0.125"),
            .init(label: "self_distill", estimate: 0.01, interval: ConfidenceInterval(lower: -0.02, upper: 0.05, level: 0.95)),
            .init(label: "one pair", estimate: 0.02),
            .init(label: "broken", estimate: .nan),
        ], intervalLabel: "95% paired-t interval")
        let doc = SVGInspector.parse(plot.svg())
        XCTAssertEqual(doc.withClass("mark dot").count, 3, "one estimate per drawable arm")
        XCTAssertEqual(doc.withClass("mark interval").count, 2, "an interval where there is one")
        XCTAssertEqual(doc.withClass("zero").count, 1)
        XCTAssertEqual(doc.texts("tick-label x"), ["vpt", "self_distill", "one pair"])
        XCTAssertEqual(doc.texts("detail"), ["n=5, p=0.125"])
        XCTAssertTrue(doc.texts("note").first?.contains("1 non-finite value") == true)
        // The interval runs from its lower to its upper end: lower is drawn below (larger pixel y).
        let bar = doc.withClass("mark interval")[0].attributes
        XCTAssertGreaterThan(Double(bar["y1"]!)!, Double(bar["y2"]!)!)
    }

    func testComparisonForestPlotAndLearningCurveBandsAre95PercentTIntervals() throws {
        func run(_ n: Int64, _ arm: String, _ seed: Int64, _ v: Double, _ curve: [Double]) -> ArmRun {
            ArmRun(number: n, arm: arm, seed: seed, state: .completed, value: v, finalMetrics: [:],
                   curve: curve.enumerated().map { .init(step: Int64($0.offset + 1) * 10, metrics: ["train_loss": $0.element]) },
                   updates: 20, trainSeconds: 1, loadMean: nil)
        }
        let runs = [run(1, "baseline", 1, 0.10, [3.0, 2.0]), run(2, "vpt", 1, 0.12, [2.9, 1.9]),
                    run(3, "baseline", 2, 0.20, [3.2, 2.2]), run(4, "vpt", 2, 0.25, [3.1, 2.0]),
                    run(5, "baseline", 3, 0.30, [3.4, 2.1]), run(6, "vpt", 3, 0.33, [3.0, 2.3])]
        let analysis = try ComparisonAnalysis(runs: runs, settings: .init(
            arms: ["baseline", "vpt"], reference: "baseline", seeds: [1, 2, 3], metric: "test_pass1", wallClock: false))
        let forest = analysis.forestPlot()
        XCTAssertEqual(forest.rows.map(\.label), ["vpt"], "one row per arm compared with the reference")
        let paired = try XCTUnwrap(analysis.arms[1].paired)
        XCTAssertEqual(forest.rows[0].estimate, paired.meanDifference)
        XCTAssertEqual(forest.rows[0].interval, paired.tTest?.confidenceInterval)
        XCTAssertEqual(forest.rows[0].detail, "n=3, p=0.25")
        // Band at step 10 for baseline: values 3.0, 3.2, 3.4 → mean 3.2, sd 0.2,
        // half-width t_{0.975,2} · 0.2/√3 = 4.302652729749464 · 0.11547005383792516 (scipy.stats.t.ppf).
        let curves = analysis.learningCurves(runs, metric: "train_loss")
        let point = curves.series[0].points[0]
        let half = 4.302652729749464 * 0.2 / 3.0.squareRoot()
        XCTAssertEqual(point.mean, 3.2, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(point.lower), 3.2 - half, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(point.upper), 3.2 + half, accuracy: 1e-9)
        XCTAssertTrue(curves.title.contains("95% t interval"), curves.title)
    }
}
