import ArgumentParser
import ConfigFiles
import Foundation
import Scheduler
import SweepStore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run (or resume) a sweep: dispatch its trials, record everything in the sweep database.",
        discussion: """
        The spec format is in docs/scheduler.md. Re-running the same spec resumes the sweep: trials \
        left running by a killed scheduler are re-queued (resumed from their last checkpoint).
        Exit status: 0 the sweep finished (or was already finished) with at least one completed trial; \
        1 runtime failure (the watchdog found nothing runnable and nothing running, or the database \
        failed); 2 bad input (spec, arguments, database file, a changed spec without --new, a sweep \
        locked by another scheduler); 3 the sweep ended with no completed trial; 130 / 143 stopped by \
        SIGINT / SIGTERM (running trials re-queued; run again to resume).
        """)

    @Argument(help: "Sweep spec (YAML or JSON).") var spec: String
    @Option(help: "Sweep database (SQLite, WAL).") var db = "storage/vsweep.sqlite"
    @Option(help: "Directory for trial configs, checkpoints and logs.") var runs = "runs"
    @Flag(help: "Start a new sweep (named <name>-2, -3, …) when the spec changed or the sweep ended badly.")
    var new = false
    @Flag(help: "Do not print a line per report (the status block and trial lines stay).") var quiet = false
    @Option(name: .customLong("warm-start-from"),
            help: "Seed the sampler (tpe, grid) with the completed trials of this sweep (same database, same metric, values inside this space); recorded, and reused on resume.")
    var warmStartFrom: String?
    @OptionGroup var serviceOptions: ServiceClientOptions

    func run() throws {
        if !new, let target = try serviceOptions.target(db: db) {
            let (_, state) = try serviceOptions.submit(specPath: spec, kind: "sweep", to: target, quiet: quiet)
            if state == "failed" || state == "cancelled" { throw ExitCode(1) }
            return
        }
        let view = LiveView(quiet: quiet)
        do {
            let (outcome, runner) = try SweepSession.run(specPath: spec, databasePath: db, runsDirectory: runs,
                                                        newSweep: new, warmStartFrom: warmStartFrom,
                                                        log: { view.log($1) },
                                                        prepare: { runner, _ in view.attach(to: runner) })
            view.finish()
            switch outcome {
            case .finished: break
            case .alreadyFinished: log("the sweep is already finished")
            case .interrupted(let signal): throw ExitCode(128 + signal)
            }
            try requireCompletedTrial(store: runner.store, sweep: runner.sweep, database: db)
        } catch {
            view.finish()
            throw commandExitCode(for: error)
        }
    }
}

/// Exit codes of `run` and `compare` (see `ExitStatus`): an error of no known kind is a
/// runtime failure.
func commandExitCode(for error: Error) -> Error {
    if let error = error as? ExitCode { return error }
    log("error: \(error)")
    return ExitCode(ExitStatus.of(error, unknown: ExitStatus.runtimeFailure))
}
