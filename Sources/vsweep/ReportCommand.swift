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
    @Flag(help: "Also write every plot as DIR/<name>.pdf (vector, for LaTeX), converted from its SVG by rsvg-convert (Debian: librsvg2-bin).")
    var pdf = false

    func run() throws {
        let s = try store.open()
        let found = try withInputErrors { try SweepQueries.sweep(s, named: sweep) }
        var page: HTMLReport
        let figures: [(name: String, plot: any SVGPlot)]
        if let comparison = try withInputErrors({ try SweepQueries.comparison(s, found) }) {
            let (runs, analysis) = try withInputErrors {
                try ComparisonAnalysis.analyse(found, comparison, in: s, runsDirectory: runsDirectory)
            }
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
        if let warning = SweepQueries.testSelectionWarning(found) {
            page.sections.insert(HTMLReport.Section(heading: "Warning: selected on the test split",
                                                    blocks: [.paragraph(warning)]), at: 0)
            log(warning)
        }
        if let provenance = Provenance.decode(found.provenance) {
            page.add(HTMLReport.Section(heading: "Provenance", blocks: provenance.lines.map { .paragraph($0) }))
        }
        try withInputErrors {
            try write(page.render(), figures.map { ($0.name, $0.plot.svg()) })
        }
        if pdf { try PDFFigures.convert(figures.map(\.name), in: out) }
        print("\(out)/index.html (\(figures.count) plots, also as \(out)/*.svg\(pdf ? " and *.pdf" : ""))")
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

/// SVG → PDF through librsvg's `rsvg-convert` (run directly, no shell): the SVG stays the
/// one rendering of a plot, and the PDF is its vector copy for papers.
enum PDFFigures {
    static func convert(_ names: [String], in directory: String) throws {
        let searched = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let tool = searched.map({ "\($0)/rsvg-convert" }).first(where: FileManager.default.isExecutableFile) else {
            throw withMessage("report --pdf: rsvg-convert not found on PATH (Debian: apt-get install librsvg2-bin; "
                              + "scripts/setup installs it); the HTML and SVG files are written", code: 1)
        }
        for name in names {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = ["-f", "pdf", "-o", "\(directory)/\(name).pdf", "\(directory)/\(name).svg"]
            p.standardError = FileHandle.standardError
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw withMessage("report --pdf: rsvg-convert failed on \(directory)/\(name).svg "
                                  + "(exit \(p.terminationStatus))", code: 1)
            }
        }
    }
}
