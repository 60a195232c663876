import Foundation
import XCTest
@testable import Analysis

final class HTMLReportTests: XCTestCase {
    func testEverythingIsEscapedAndSelfContained() {
        let report = HTMLReport(title: "Sweep <a> & \"b\"", subtitle: "it's <i>here</i>", sections: [
            .init(heading: "x < y", blocks: [
                .paragraph("<script>alert(1)</script>"),
                .table(headers: ["arm", "loss"], rows: [["<b>vpt</b>", "1.95"], ["base & line", "n/a"]], caption: "a&b"),
            ]),
        ])
        let html = report.render()
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        XCTAssertTrue(html.contains("<title>Sweep &lt;a&gt; &amp; &quot;b&quot;</title>"))
        XCTAssertTrue(html.contains("<p class=\"subtitle\">it&#39;s &lt;i&gt;here&lt;/i&gt;</p>"))
        XCTAssertTrue(html.contains("<h2>x &lt; y</h2>"))
        XCTAssertTrue(html.contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"))
        XCTAssertTrue(html.contains("<tr><td>&lt;b&gt;vpt&lt;/b&gt;</td><td class=\"num\">1.95</td></tr>"))
        XCTAssertTrue(html.contains("<tr><td>base &amp; line</td><td>n/a</td></tr>"))
        XCTAssertTrue(html.contains("<caption>a&amp;b</caption>"))
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<b>"))
        for external in ["src=", "href=", "<link", "@import", "url("] { XCTAssertFalse(html.contains(external), external) }
        XCTAssertTrue(html.contains("td.num { text-align: right;"))
    }

    func testFiguresEmbedTheirSVGAndARealisticPageIsWritten() throws {
        let html = Self.sampleReport().render()
        XCTAssertEqual(html.components(separatedBy: "<svg xmlns=\"http://www.w3.org/2000/svg\"").count - 1, 4)
        XCTAssertEqual(html.components(separatedBy: "<figcaption>").count - 1, 4)
        // For scripts/report-screenshot: a page to look at (not read by any test).
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vsweep-analysis-sample-report.html")
        try html.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Four arms × five seeds, curves with ±sd bands, a lr scatter and a rung plot.
    static func sampleReport() -> HTMLReport {
        let arms = ["baseline", "vpt", "uniform_topk", "self_distill"]
        let offsets = [0.0, -0.08, 0.05, -0.03]
        func final(_ arm: Int, _ seed: Int) -> Double { 2.0 + offsets[arm] + 0.02 * Double((seed * 7 + arm * 3) % 5) - 0.04 }
        let series = arms.indices.map { a in
            LineBandChart.Series(name: arms[a], points: stride(from: 0, through: 2000, by: 100).map { step in
                let s = Double(step)
                let mean = 2.0 + offsets[a] + 1.5 * exp(-s / 500)
                let sd = 0.05 + 0.1 * exp(-s / 800)
                return .init(x: s, mean: mean, lower: mean - sd, upper: mean + sd)
            })
        }
        let rows = (0..<5).map { seed in PairedDotPlot.Row(label: "seed \(seed)", values: arms.indices.map { final($0, seed) }) }
        let baseline = (0..<5).map { final(0, $0) }
        var table: [[String]] = []
        for a in arms.indices.dropFirst() {
            let c = try! PairedComparison(arm: (0..<5).map { final(a, $0) }, reference: baseline)
            let t = c.tTest!
            table.append([arms[a], String(format: "%.4f", c.meanDifference),
                          String(format: "[%.4f, %.4f]", t.confidenceInterval.lower, t.confidenceInterval.upper),
                          t.pValue.map { String(format: "%.3g", $0) } ?? "-", String(format: "%.3g", c.bootstrap!.pValue)])
        }
        let lrs = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
        let points = lrs.enumerated().map { i, lr in
            ScatterPlot.Point(x: .number(lr), y: 1.9 + 0.3 * abs(log10(lr) + 2.5), group: i == 5 ? "failed" : i % 2 == 0 ? "completed" : "stopped_early",
                              label: "trial \(i)")
        }
        let rungs: [RungPlot.Observation] = [(100, 2.4, RungPlot.Outcome.promoted), (100, 2.6, .stopped), (100, 2.9, .stopped),
                                              (300, 2.1, .promoted), (300, 2.3, .stopped), (900, 1.95, .pending)]
            .map { .init(resource: $0.0, value: $0.1, outcome: $0.2) }
        return HTMLReport(title: "Sweep report: arms-small", subtitle: "4 arms × 5 seeds, metric downstream_loss (lower is better)", sections: [
            .init(heading: "Learning curves", blocks: [
                .paragraph("Mean over seeds; the band is ± one sample standard deviation."),
                .figure(LineBandChart(title: "downstream loss", xLabel: "updates", yLabel: "loss", series: series), caption: "Learning curves per arm."),
            ]),
            .init(heading: "Final metric per seed", blocks: [
                .figure(PairedDotPlot(title: "final downstream loss", yLabel: "loss", categories: arms, rows: rows), caption: "One line per seed."),
                .table(headers: ["arm vs baseline", "mean diff", "95% CI (t)", "p (t)", "p (bootstrap)"], rows: table),
            ]),
            .init(heading: "Search", blocks: [
                .figure(ScatterPlot(title: "loss vs learning rate", xLabel: "lr", yLabel: "loss", points: points, xAxis: .numeric(.log),
                                    groups: ["completed", "stopped_early", "failed"], colours: Palette.trialStates), caption: "Colour: trial state."),
                .figure(RungPlot(title: "ASHA rungs", yLabel: "loss", observations: rungs), caption: "Values at each rung."),
            ]),
        ])
    }
}
