import Analysis
import ArgumentParser
import Foundation
import Scheduler
import SweepStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report with SVG plots for a sweep or a comparison.",
        discussion: """
        DIR/index.html is self-contained (inline CSS and SVG, no scripts); every plot is also written as \
        DIR/<name>.svg. A sweep: best trials, the metric against each parameter, early-stopping rungs, \
        learning curves of the best trials. A comparison: the per-arm table with paired differences, the \
        final metric per seed, learning curves per arm (mean ± sd over seeds), every run. \
        scripts/report-screenshot DIR/index.html out.png renders it with headless Chromium.
        """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "Sweep or comparison name.") var sweep: String
    @Option(help: "Output directory (created).") var out: String
    @Option(name: .customLong("runs"), help: "Directory of trial directories (per-question outcomes of a comparison are read there).")
    var runsDirectory = "runs"

    func run() throws {
        let s = try store.open()
        let found = try withInputErrors { try SweepQueries.sweep(s, named: sweep) }
        let page: HTMLReport
        let figures: [(name: String, plot: any SVGPlot)]
        if let comparison = SweepQueries.comparisonSpec(of: found) {
            let (runs, analysis) = try withInputErrors { try comparison.analyse(found, in: s, runsDirectory: runsDirectory) }
            let report = try withInputErrors {
                try ComparisonReport(name: found.name, runs: runs, analysis: analysis, budget: comparison.budgetText)
            }
            (page, figures) = (report.page, report.figures)
        } else {
            // The spec says which parameters were searched on a log scale.
            let spec = try? SweepQueries.storedSpec(of: found)
            let logNames = Set(spec?.space.compactMap { p -> String? in
                if case .logUniform = p.domain { return p.name } else { return nil }
            } ?? [])
            let choiceNames = Set(spec?.space.compactMap { p -> String? in
                if case .choice = p.domain { return p.name } else { return nil }
            } ?? [])
            let report = try withInputErrors {
                try SweepReport(store: s, sweep: found, logParameters: logNames, categoricalParameters: choiceNames)
            }
            (page, figures) = (report.page, report.figures)
        }
        try withInputErrors {
            try write(page.render(), figures.map { ($0.name, $0.plot.svg()) })
        }
        print("\(out)/index.html (\(figures.count) plots, also as \(out)/*.svg)")
    }

    private func write(_ page: String, _ svgs: [(name: String, text: String)]) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw FileError(out, "write the report there", reason: "--out names an existing file; it must be a directory")
        }
        try FileError.naming(out, "create the directory") {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        }
        let index = out + "/index.html"
        try FileError.naming(index, "write") { try page.write(toFile: index, atomically: true, encoding: .utf8) }
        for svg in svgs {
            let path = "\(out)/\(svg.name).svg"
            try FileError.naming(path, "write") { try svg.text.write(toFile: path, atomically: true, encoding: .utf8) }
        }
    }
}
