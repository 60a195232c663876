import XCTest
@testable import Analysis

final class SVGPlotTests: XCTestCase {
    func testLineBandChartMarksTicksAndNote() {
        let chart = LineBandChart(title: "loss <by> arm", xLabel: "updates", yLabel: "loss", series: [
            .init(name: "vpt", points: [.init(x: 0, mean: 1, lower: 0.5, upper: 1.5), .init(x: 10, mean: 2, lower: 1.5, upper: 2.5),
                                        .init(x: 20, mean: 3, lower: 2.5, upper: 3.5)]),
            .init(name: "baseline & co", points: [.init(x: 20, mean: 1), .init(x: 10, mean: .nan), .init(x: 0, mean: 2)]),
        ])
        let svg = chart.svg()
        let doc = SVGInspector.parse(svg)
        XCTAssertEqual(doc.root?.name, "svg")
        XCTAssertEqual(doc.root?.attributes["xmlns"], "http://www.w3.org/2000/svg")
        XCTAssertEqual(doc.root?.attributes["viewBox"], "0 0 760 440")
        XCTAssertEqual(doc.withClass("mark line").count, 2)
        XCTAssertEqual(doc.withClass("mark band").count, 1, "only vpt has a band")
        XCTAssertEqual(doc.withClass("mark dot").count, 0)
        // x 0…20 → step 5; y 0.5…3.5 → step 0.5 (see NiceTicksTests).
        XCTAssertEqual(doc.texts("tick-label x"), ["0", "5", "10", "15", "20"])
        XCTAssertEqual(doc.texts("tick-label y"), ["0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5"])
        XCTAssertEqual(doc.texts("legend-label"), ["vpt", "baseline & co"])
        XCTAssertEqual(doc.texts("title"), ["loss <by> arm"])
        XCTAssertEqual(doc.texts("note"), ["note: 1 non-finite value (NaN/inf) skipped"])
        XCTAssertTrue(svg.contains("loss &lt;by&gt; arm"))
        // The baseline line is drawn in x order: it starts at x = 0 (left edge 76 px + 10 px inset).
        let baseline = doc.withClass("mark line")[1].attributes["d"] ?? ""
        XCTAssertTrue(baseline.hasPrefix("M86,"), baseline)
    }

    func testPairedDotPlotDotsLinksAndMeans() {
        let plot = PairedDotPlot(title: "final loss per seed", yLabel: "loss", categories: ["baseline", "vpt", "uniform_topk"], rows: [
            .init(label: "seed 0", values: [2.0, 1.8, 2.1]),
            .init(label: "seed 1", values: [2.2, nil, 2.3]),
            .init(label: "seed 2", values: [2.1, 1.9]),
            .init(label: "seed 3", values: [nil, .infinity, 2.0, 9.9]),
        ])
        let doc = SVGInspector.parse(plot.svg())
        XCTAssertEqual(doc.withClass("mark dot").count, 8)  // 3 + 2 + 2 + 1 drawable values
        // seed 0 and seed 2 are joined; seed 1 misses vpt (a gap, no line to draw), seed 3 has one dot.
        XCTAssertEqual(doc.withClass("mark link").count, 2)
        XCTAssertEqual(doc.withClass("mark mean").count, 3)
        XCTAssertEqual(doc.texts("tick-label x"), ["baseline", "vpt", "uniform_topk"])
        XCTAssertEqual(doc.texts("note"), ["note: 1 non-finite value (NaN/inf) skipped; 1 value beyond the 3 categories ignored"])
        let seed0 = doc.withClass("mark link")[0].attributes["d"] ?? ""
        XCTAssertEqual(seed0.filter { $0 == "M" }.count, 1)
        XCTAssertEqual(seed0.filter { $0 == "L" }.count, 2)
        // The vpt mean bar sits at the mean of 1.8 and 1.9.
        let tooltip = doc.elements.filter { $0.name == "title" }.map(\.text)
        XCTAssertTrue(tooltip.contains("vpt mean over 2: \(Statistics.mean([1.8, 1.9]))"), "\(tooltip)")
    }

    func testScatterLogXAndCategoricalX() {
        let numeric = ScatterPlot(title: "loss vs lr", xLabel: "lr", yLabel: "loss", points: [
            .init(x: .number(1e-4), y: 2.0, group: "completed"),
            .init(x: .number(3e-3), y: 1.5, group: "stopped_early"),
            .init(x: .number(0.05), y: 1.7, group: "completed"),
            .init(x: .number(0), y: 1.0, group: "failed"),  // ≤ 0 on a log axis
            .init(x: .category("adam"), y: 1.0, group: "completed"),
        ], xAxis: .numeric(.log), groups: ["completed", "stopped_early", "failed"])
        var doc = SVGInspector.parse(numeric.svg())
        XCTAssertEqual(doc.withClass("mark dot").count, 3)
        XCTAssertEqual(doc.texts("tick-label x"), ["1e-4", "0.001", "0.01", "0.1"])
        XCTAssertEqual(doc.texts("legend-label"), ["completed", "stopped_early"], "failed has no drawn point")
        XCTAssertEqual(doc.texts("note"), ["note: 1 value ≤ 0 skipped on a log axis; 1 point with a category x skipped"])

        let categorical = ScatterPlot(title: "loss vs optimizer", xLabel: "optimizer", yLabel: "loss", points: [
            .init(x: .category("sgd"), y: 2.0, group: "completed"),
            .init(x: .category("adam"), y: 1.5, group: "completed"),
            .init(x: .category("lion"), y: 1.7, group: "failed"),
            .init(x: .category("adam"), y: 1.6, group: "completed"),
        ], xAxis: .categorical(["adam"]))
        doc = SVGInspector.parse(categorical.svg())
        XCTAssertEqual(doc.withClass("mark dot").count, 4)
        XCTAssertEqual(doc.texts("tick-label x"), ["adam", "sgd", "lion"])
        XCTAssertEqual(doc.texts("legend-label"), ["completed", "failed"])
        XCTAssertTrue(doc.texts("note").isEmpty)
    }

    func testRungPlotColoursByOutcome() {
        let plot = RungPlot(title: "rungs", yLabel: "loss", observations: [
            .init(resource: 100, value: 2.0, outcome: .promoted), .init(resource: 100, value: 2.5, outcome: .stopped),
            .init(resource: 300, value: 1.8, outcome: .promoted), .init(resource: 900, value: 1.6, outcome: .pending),
        ])
        let doc = SVGInspector.parse(plot.svg())
        let dots = doc.withClass("mark dot")
        XCTAssertEqual(dots.count, 4)
        // Stopped trials are drawn last (on top), so none hides under a promoted one.
        XCTAssertEqual(dots.map { $0.attributes["fill"] ?? "" }, ["#0072B2", "#0072B2", "#999999", "#D55E00"])
        // The two points of rung 100 stand side by side, not on top of each other.
        let xs = dots.map { Double($0.attributes["cx"] ?? "") ?? .nan }
        XCTAssertGreaterThan(abs(xs[0] - xs[3]), 8, "dodged by more than a dot's diameter: \(xs)")
        XCTAssertEqual(doc.texts("tick-label x"), ["100", "200", "500", "1000"])
        XCTAssertEqual(doc.texts("legend-label"), ["promoted / continued", "stopped here", "pending"])
    }

    func testEmptyAndDegenerateDataStillRender() {
        let empty = SVGInspector.parse(LineBandChart(title: "nothing", xLabel: "x", yLabel: "y", series: []).svg())
        XCTAssertEqual(empty.texts("no-data"), ["no data"])
        let allNaN = SVGInspector.parse(PairedDotPlot(title: "t", yLabel: "y", categories: ["a"], rows: [.init(label: "s", values: [.nan])]).svg())
        XCTAssertEqual(allNaN.texts("no-data"), ["no data"])
        XCTAssertEqual(allNaN.texts("note"), ["note: 1 non-finite value (NaN/inf) skipped"])
        XCTAssertEqual(SVGInspector.parse(ScatterPlot(title: "t", xLabel: "x", yLabel: "y", points: []).svg()).texts("no-data"), ["no data"])
        XCTAssertEqual(SVGInspector.parse(RungPlot(title: "t", yLabel: "y", observations: []).svg()).texts("no-data"), ["no data"])

        // One point, equal min and max: an axis around it and a dot with its error bar.
        let one = SVGInspector.parse(LineBandChart(title: "one", xLabel: "x", yLabel: "y",
                                                   series: [.init(name: "a", points: [.init(x: 5, mean: 5, lower: 4, upper: 6)])]).svg())
        XCTAssertEqual(one.withClass("mark dot").count, 1)
        XCTAssertEqual(one.withClass("mark band").count, 1)
        XCTAssertEqual(one.texts("tick-label x"), ["4.4", "4.6", "4.8", "5.0", "5.2", "5.4", "5.6"])
        for element in one.elements {
            for (name, value) in element.attributes {
                XCTAssertFalse(value.contains("nan") || value.contains("inf"), "\(element.name) \(name)=\(value)")
            }
        }
    }

    func testHostileTextIsEscapedAndControlCharactersDropped() {
        let title = "a\"b'c<d>&e\u{01}f"
        let svg = ScatterPlot(title: title, xLabel: "</text>", yLabel: "y",
                              points: [.init(x: .category("<script>"), y: 1, group: "g&h")], xAxis: .categorical([])).svg()
        let doc = SVGInspector.parse(svg)
        XCTAssertEqual(doc.texts("title"), ["a\"b'c<d>&e\u{FFFD}f"])
        XCTAssertEqual(doc.root?.attributes["aria-label"], "a\"b'c<d>&e\u{FFFD}f")
        XCTAssertEqual(doc.texts("tick-label x"), ["<script>"])
        XCTAssertFalse(svg.contains("<script>"))
    }
}
