import Foundation

/// The report of a comparison: the per-arm table with the paired differences, the
/// warnings, the final metric per seed, the learning curves per arm (mean ± sd over
/// seeds) and every run.
public struct ComparisonReport: Sendable {
    public let page: HTMLReport
    public let figures: [(name: String, plot: any SVGPlot)]

    public init(name: String, runs: [ArmRun], analysis: ComparisonAnalysis, budget: String) throws {
        let s = analysis.settings
        var figures: [(String, any SVGPlot)] = [("final-per-seed", analysis.finalPerSeed())]
        for metric in ComparisonAnalysis.curveMetrics(runs, metric: s.metric) {
            figures.append(("curve-\(SweepReport.fileSafe(metric))", analysis.learningCurves(runs, metric: metric)))
        }
        var page = HTMLReport(
            title: "Comparison \(name)",
            subtitle: "\(s.arms.count) arms × \(s.seeds.count) seeds at a matched budget of \(budget); metric \(s.metric); "
                + "differences are arm − \(s.reference), paired by seed")
        let table = try analysis.readableTable()
        var blocks: [HTMLReport.Block] = [
            .table(headers: table.headers, rows: table.rows,
                   caption: "95% intervals: paired bootstrap (\(s.resamples) resamples, seed \(s.bootstrapSeed)) and paired t"),
        ]
        blocks += analysis.warnings.map { .paragraph("Warning: \($0)") }
        page.add(HTMLReport.Section(heading: "Arms", blocks: blocks))
        page.add(HTMLReport.Section(heading: "Final \(s.metric) per seed", blocks: [
            .figure(figures[0].1, caption: "one dot per run; lines join the runs of one seed"),
        ]))
        if figures.count > 1 {
            page.add(HTMLReport.Section(heading: "Learning curves", blocks: figures.dropFirst().map {
                .figure($0.1, caption: "mean ± sd over the seeds of each arm")
            }))
        }
        let runsTable = try analysis.runsTable(runs)
        page.add(HTMLReport.Section(heading: "Runs", blocks: [.table(headers: runsTable.headers, rows: runsTable.rows)]))
        self.page = page
        self.figures = figures
    }
}
