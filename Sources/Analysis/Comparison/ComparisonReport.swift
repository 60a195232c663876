import Foundation

/// The report of a comparison: first the forest plot of Δ with 95% intervals per arm,
/// then the per-arm table with the paired differences and the notes under it (n, the
/// smallest attainable p, the minimum detectable Δ, why the bootstrap is not shown), Δ for
/// every metric, the question-level table, the warnings, the final metric per seed, the
/// learning curves per arm (mean and 95% t interval over seeds) and every run.
public struct ComparisonReport: Sendable {
    public let page: HTMLReport
    public let figures: [(name: String, plot: any SVGPlot)]

    public init(name: String, runs: [ArmRun], analysis: ComparisonAnalysis, budget: String) throws {
        let s = analysis.settings
        var figures: [(String, any SVGPlot)] = [("forest", analysis.forestPlot()), ("final-per-seed", analysis.finalPerSeed())]
        for metric in ComparisonAnalysis.curveMetrics(runs, metric: s.metric) {
            figures.append(("curve-\(SweepReport.fileSafe(metric))", analysis.learningCurves(runs, metric: metric)))
        }
        var page = HTMLReport(
            title: "Comparison \(name)",
            subtitle: "\(s.arms.count) arms × \(s.seeds.count) seeds at a matched budget of \(budget); metric \(s.metric); "
                + "differences are arm − \(s.reference), paired by seed")
        page.add(HTMLReport.Section(heading: "Effect of each arm", blocks: [
            .figure(figures[0].1, caption: "Δ = arm − \(s.reference) of \(s.metric), mean over the paired seeds, with its 95% "
                    + "paired-t interval; p: exact sign-flip permutation test (two-sided)"),
        ]))
        let table = try analysis.readableTable()
        var blocks: [HTMLReport.Block] = [
            .table(headers: table.headers, rows: table.rows,
                   caption: "p sign-flip: exact paired permutation test (primary); 95% CI t: paired t; bootstrap "
                       + "(\(s.resamples) resamples, seed \(s.bootstrapSeed)) only from \(PairedComparison.bootstrapMinimumPairs) pairs up"),
        ]
        blocks += analysis.notes().map { .paragraph("Note: \($0)") }
        blocks += analysis.warnings.map { .paragraph("Warning: \($0)") }
        page.add(HTMLReport.Section(heading: "Arms", blocks: blocks))
        if !s.reportMetrics.isEmpty {
            let differences = try analysis.differencesTable()
            page.add(HTMLReport.Section(heading: "Δ for every metric", blocks: [
                .table(headers: differences.headers, rows: differences.rows,
                       caption: "p Holm: adjusted across the arms, per metric; MDE: minimum detectable Δ at 80% power (paired t, α = 0.05)"),
            ]))
        }
        if !analysis.questionLevel.isEmpty {
            let questions = try analysis.questionTable()
            page.add(HTMLReport.Section(heading: "Question level", blocks: [
                .table(headers: questions.headers, rows: questions.rows,
                       caption: "per-question outcomes paired by seed and question id, pooled over seeds; Wilson intervals; "
                           + "exact McNemar on the discordant pairs (conditions on these runs; see docs/analysis.md)"),
            ]))
        }
        page.add(HTMLReport.Section(heading: "Final \(s.metric) per seed", blocks: [
            .figure(figures[1].1, caption: "one dot per run; lines join the runs of one seed"),
        ]))
        if figures.count > 2 {
            page.add(HTMLReport.Section(heading: "Learning curves", blocks: figures.dropFirst(2).map {
                .figure($0.1, caption: "mean over the seeds of each arm with its 95% t interval")
            }))
        }
        let runsTable = try analysis.runsTable(runs)
        page.add(HTMLReport.Section(heading: "Runs", blocks: [.table(headers: runsTable.headers, rows: runsTable.rows)]))
        self.page = page
        self.figures = figures
    }
}
