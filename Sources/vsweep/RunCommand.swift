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
    @Flag(help: "Do not print a line per report.") var quiet = false

    func run() throws {
        let quiet = self.quiet
        do {
            let (outcome, _) = try SweepSession.run(specPath: spec, databasePath: db, runsDirectory: runs,
                                                   newSweep: new) { level, message in
                if quiet && level == .report { return }
                // Unbuffered, so a reader of a redirected log sees each line as it happens.
                FileHandle.standardOutput.write(Data((message + "\n").utf8))
            }
            switch outcome {
            case .finished: return
            case .alreadyFinished: print("the sweep is already finished")
            case .interrupted(let signal): throw ExitCode(128 + signal)
            }
        } catch let error as ConfigFileError {
            log("error: \(error)")
            throw ExitCode(2)
        } catch let error as SchedulerError {
            log("error: \(error)")
            if case .watchdog = error { throw ExitCode(1) }
            throw ExitCode(2)
        } catch let error as ExitCode {
            throw error
        } catch {
            log("error: \(error)")
            throw ExitCode(1)
        }
    }
}
