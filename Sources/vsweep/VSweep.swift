import ArgumentParser
import ConfigFiles
import Foundation
import Scheduler
import SweepStore

@main
struct VSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vsweep",
        abstract: "Hyperparameter and budget scheduler for value-based continued pretraining (V-pretraining).",
        discussion: "Exit codes: 0 success (also a trial stopped by SIGTERM after checkpointing), 1 runtime failure, 2 bad input (config, spec, arguments or files, the database included), 3 a sweep or comparison that ended with no completed trial, 130 / 143 run or compare interrupted by SIGINT / SIGTERM (docs/user-guide.md).",
        version: Provenance.vsweepVersion,
        subcommands: [DataCommand.self, BaseCommand.self, TrainCommand.self, EvalCommand.self, RunCommand.self, CompareCommand.self, StatusCommand.self, TrialsCommand.self, BestCommand.self, ShowCommand.self, ReportCommand.self, ExportCommand.self, ServeCommand.self]
    )

    /// ArgumentParser's `main`, except that its usage errors (status 64) exit with
    /// vsweep's status for bad input.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                try? FileHandle.standardError.write(contentsOf: Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.badInput)
            }
            // vsweep's own errors that a command let through: classified like the rest.
            if error is SweepStoreError || error is ConfigFileError || error is SchedulerError || error is FileError {
                try? FileHandle.standardError.write(contentsOf: Data("error: \(error)\n".utf8))
                Foundation.exit(ExitStatus.of(error, unknown: ExitStatus.runtimeFailure))
            }
            exit(withError: error)
        }
    }
}

