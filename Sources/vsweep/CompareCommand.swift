import Vocabulary
import Analysis
import ArgumentParser
import Foundation
import Scheduler
import SweepStore

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run arms × seeds at one matched budget (resumable) and compare them, paired by seed.",
        discussion: """
        The comparison spec format is in docs/sweep-spec.md. Runs what is not done yet (the comparison is \
        stored as a sweep named after the spec), then prints per arm n, mean ± sd and interquartile mean of \
        the metric, and the paired difference to the reference arm: the exact sign-flip permutation p \
        (primary), its Holm adjustment across arms, the paired t interval and p, the bootstrap interval \
        (from 10 pairs up), P(arm better than reference); then Δ for every report metric, and notes under \
        the tables: n, the smallest p it allows, the minimum detectable Δ at 80% power. Under a wall-clock \
        budget also the updates each arm achieved and a warning when arms ran under different machine \
        loads. --seeds-for Δ: how many seeds Δ needs at the variance observed. Formulas: docs/analysis.md.
        Exit status: 0 done; 1 runtime failure; 2 bad input (spec, database file, a changed spec without \
        --new); 3 every run ended and none completed; 130 / 143 interrupted (the partial table is printed; \
        run again to resume).
        """)

    @Argument(help: "Comparison spec (YAML or JSON).") var spec: String
    @Option(help: "Sweep database (SQLite, WAL).") var db = "storage/vsweep.sqlite"
    @Option(help: "Directory for trial configs, checkpoints and logs.") var runs = "runs"
    @Option(help: "table, markdown, csv or json.") var format: TableFormat = .table
    @Flag(help: "Start a new comparison (named <name>-2, …) when the spec changed.") var new = false
    @Flag(help: "Do not run anything: print what is recorded.") var noRun = false
    @Flag(help: "Also print one row per run (arm, seed, state, metric, updates, seconds, load).") var showRuns = false
    @Flag(help: "Do not print a line per report.") var quiet = false
    @Option(name: .customLong("seeds-for"),
            help: "Also print how many seeds a difference of this size needs for 80% power at the observed variance.")
    var seedsFor: Double?
    @OptionGroup var serviceOptions: ServiceClientOptions

    func run() throws {
        let comparison: ComparisonSpec
        do { comparison = try ComparisonSpec.load(path: spec) } catch { throw commandExitCode(for: error) }
        var name = comparison.name
        var interrupted: Int32?
        if !noRun, !new, let target = try serviceOptions.target(db: db) {
            let (_, state) = try serviceOptions.submit(specPath: spec, kind: "comparison", to: target, quiet: quiet)
            if serviceOptions.detach { return }
            if state != "finished" { throw ExitCode(1) }
        } else if !noRun {
            // With CSV or JSON, stdout carries only the table: it pipes into jq or pandas.
            let view = LiveView(quiet: quiet, toStandardError: format == .csv || format == .json)
            do {
                let (outcome, runner) = try SweepSession.run(
                    spec: comparison.sweepSpec(), source: ComparisonParameterSource(spec: comparison),
                    databasePath: db, runsDirectory: runs, newSweep: new, log: { view.log($1) },
                    prepare: { runner, _ in view.attach(to: runner) })
                view.finish()
                name = runner.spec.name
                if case .interrupted(let signal) = outcome { interrupted = signal }
            } catch {
                view.finish()
                throw commandExitCode(for: error)
            }
        }
        let sweep = try printComparison(sweepName: name)
        if let interrupted { throw ExitCode(128 + interrupted) }
        if !noRun { try requireCompletedTrial(store: sweep.store, sweep: sweep.sweep, database: db) }
    }

    /// Prints the table of the comparison as recorded (its arms, seeds and settings from
    /// the store, not the spec file); returns the store and sweep it read.
    @discardableResult
    private func printComparison(sweepName: String) throws -> (store: SweepStore, sweep: Sweep) {
        let store = try withInputErrors { try SweepStore.open(path: db) }
        guard let sweep = try withInputErrors({ try store.sweep(named: sweepName) }) else {
            throw withMessage("comparison \(sweepName) has not been run in \(db) yet: run vsweep compare \(spec)"
                              + " (without --no-run)", code: 2)
        }
        guard let comparison = try withInputErrors({ try SweepQueries.comparison(store, sweep) }) else {
            throw withMessage("sweep \(sweepName) is not a comparison; use vsweep trials / best / report", code: 2)
        }
        let (runs, analysis) = try withInputErrors {
            try ComparisonAnalysis.analyse(sweep, comparison, in: store, runsDirectory: self.runs)
        }
        let machine = format == .csv || format == .json
        if !machine {
            print("\(sweepName): \(comparison.arms.count) arms × \(comparison.seeds.count) seeds, "
                  + "budget \(comparison.budgetText), \(sweep.metric) (\(sweep.goal.rawValue)); "
                  + "Δ = arm − \(comparison.reference), paired by seed")
        }
        let table = try machine ? analysis.dataTable() : analysis.readableTable()
        print(table.render(format), terminator: "")
        // Notes belong under the table people read; with CSV/JSON, stdout stays data only.
        let say: (String) -> Void = machine ? { log($0) } : { print($0) }
        for note in analysis.notes() { say("note: \(note)") }
        if !machine && !comparison.reportMetrics.isEmpty {
            print("\nΔ for every metric (p Holm: across arms, per metric)")
            print(try analysis.differencesTable().render(format), terminator: "")
        }
        if !machine && !analysis.questionLevel.isEmpty {
            print("\nQuestion level (per-question outcomes paired by seed and question, pooled over seeds)")
            print(try analysis.questionTable().render(format), terminator: "")
            print("note: exact McNemar on the discordant (seed, question) pairs: it conditions on these trained runs "
                  + "(are they different on these questions?) and treats pairs as independent; the seed-level "
                  + "sign-flip p above is the test of the method across training seeds")
        }
        if showRuns { print(try analysis.runsTable(runs).render(format), terminator: "") }
        if let seedsFor {
            for line in try withInputErrors({ try analysis.seedsNeeded(for: seedsFor) }) { say("seeds: \(line)") }
        }
        for warning in analysis.warnings { say("warning: \(warning)") }
        return (store, sweep)
    }
}

extension TableFormat: ExpressibleByArgument {}
