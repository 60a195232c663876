import Analysis
import ArgumentParser
import Foundation
import Scheduler
import SweepStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every report metric of every trial in long format (CSV or JSON lines), at full precision.",
        discussion: """
        One row per trial, report and metric: sweep, spec_hash, trial, attempt, arm, seed, state, final, \
        step (updates), tokens, train_seconds, eval_seconds, recorded_at, metric, value, then param.<name> \
        for every parameter. Numbers round-trip exactly. Data only on stdout (or in --out); messages on stderr. \
        In pandas: df = pd.read_csv("runs.csv")  or  pd.read_json("runs.jsonl", lines=True).
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, jsonl }

    @OptionGroup var store: StoreOptions
    @Argument(help: "Sweep or comparison name.") var sweep: String
    @Option(help: "csv or jsonl.") var format: Format = .csv
    @Option(help: "Write to this file instead of stdout.") var out: String?

    func run() throws {
        let s = try store.open()
        let found = try withInputErrors { try SweepQueries.sweep(s, named: sweep) }
        let export = try withInputErrors { try MetricsExport(store: s, sweep: found) }
        let text = format == .csv ? export.csv() : export.jsonLines()
        if let out {
            try withInputErrors {
                try FileError.naming(out, "write") { try text.write(toFile: out, atomically: true, encoding: .utf8) }
            }
            log("\(out): \(export.rows.count) rows (\(format.rawValue))")
        } else {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        }
    }
}
