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
        Exit status: 0 the sweep finished (or was already finished); 1 runtime failure (the watchdog \
        found nothing runnable and nothing running, or the database failed); 2 bad input (spec, \
        arguments, a changed spec without --new, a sweep locked by another scheduler); 130 / 143 \
        stopped by SIGINT / SIGTERM (running trials re-queued; run again to resume).
        """)

    @Argument(help: "Sweep spec (YAML or JSON).") var spec: String
    @Option(help: "Sweep database (SQLite, WAL).") var db = "storage/vsweep.sqlite"
    @Option(help: "Directory for trial configs, checkpoints and logs.") var runs = "runs"
    @Flag(help: "Start a new sweep (named <name>-2, -3, …) when the spec changed or the sweep ended badly.")
    var new = false
    @Flag(help: "Do not print a line per report (the status block and trial lines stay).") var quiet = false
    @OptionGroup var serviceOptions: ServiceClientOptions

    func run() throws {
        if !new, let target = try serviceOptions.target(db: db) {
            let (_, state) = try serviceOptions.submit(specPath: spec, kind: "sweep", to: target, quiet: quiet)
            if state == "failed" || state == "cancelled" { throw ExitCode(1) }
            return
        }
        let view = LiveView(quiet: quiet)
        do {
            let (outcome, _) = try SweepSession.run(specPath: spec, databasePath: db, runsDirectory: runs,
                                                   newSweep: new, log: { view.log($1) },
                                                   prepare: { runner, _ in view.attach(to: runner) })
            view.finish()
            switch outcome {
            case .finished: return
            case .alreadyFinished: print("the sweep is already finished")
            case .interrupted(let signal): throw ExitCode(128 + signal)
            }
        } catch {
            view.finish()
            throw commandExitCode(for: error)
        }
    }
}

/// Exit codes of `run` and `compare`: 2 bad input (spec, arguments, a changed spec,
/// a locked sweep), 1 runtime failure (watchdog, database), the signal's 128 + n.
func commandExitCode(for error: Error) -> Error {
    switch error {
    case let error as ExitCode: return error
    case let error as ConfigFileError:
        log("error: \(error)")
        return ExitCode(2)
    case let error as SchedulerError:
        log("error: \(error)")
        if case .watchdog = error { return ExitCode(1) }
        return ExitCode(2)
    default:
        log("error: \(error)")
        return ExitCode(1)
    }
}
