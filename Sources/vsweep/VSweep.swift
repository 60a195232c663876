import ArgumentParser

@main
struct VSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vsweep",
        abstract: "Hyperparameter and budget scheduler for value-based continued pretraining (V-pretraining).",
        discussion: "Exit codes: 0 success (also a trial stopped by SIGTERM after checkpointing), 1 runtime failure, 2 bad input (config, spec, arguments or files).",
        version: VSweepVersion.string,
        subcommands: [DataCommand.self, BaseCommand.self, TrainCommand.self, EvalCommand.self, RunCommand.self, CompareCommand.self, StatusCommand.self, TrialsCommand.self, BestCommand.self, ShowCommand.self, ReportCommand.self, ExportCommand.self, ServeCommand.self]
    )

}

enum VSweepVersion {
    static let string = "0.1.0"
}
