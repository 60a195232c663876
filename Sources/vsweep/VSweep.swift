import ArgumentParser

@main
struct VSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vsweep",
        abstract: "Hyperparameter and budget scheduler for value-based continued pretraining (V-pretraining).",
        version: VSweepVersion.string,
        subcommands: []
    )
}

enum VSweepVersion {
    static let string = "0.1.0"
}
