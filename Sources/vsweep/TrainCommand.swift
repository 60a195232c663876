import ArgumentParser
import Kernels
import ConfigFiles
import Foundation
import TrialProtocol
import Training

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Run one trial and speak the trial protocol: JSON lines on stdout, logs on stderr (docs/protocol.md).",
        discussion: """
        Exit status: 0 when the budget is spent or SIGTERM stopped the trial after checkpointing; \
        2 for a bad config or base checkpoint (an `error` event names the field); 1 for other failures. \
        With --check: only what happens before the first update (config, base, data, resume checkpoint).
        """)

    @Option(help: "Trial config (YAML or JSON).") var config: String
    @Option(name: .customLong("set"), help: "Override a field: --set learner.lr=3e-4 (repeatable).") var overrides: [String] = []
    @Option(help: "Continue from a checkpoint written by this trial.") var resume: String?
    @Flag(help: "Check the config, the base checkpoint and the dataset (everything a trial loads before its first update), then exit: 0 when the trial would start, 2 with an `error` event naming the field otherwise.")
    var check = false

    func run() throws {
        // Before any BLAS work, and only where the engine runs: Debian's OpenBLAS may
        // need a hint on recent CPUs (a re-exec); the scheduler and readers never pay it.
        BLASRuntime.ensureFastKernels()
        let output = TrialOutput()
        do {
            var doc = try ConfigDocument.load(path: config)
            try doc.apply(overrides: overrides)
            let trial = try TrialConfig(document: doc)
            TerminationSignal.install()
            let runner = try TrialRunner(config: trial, output: output)
            if let resume { try runner.resume(from: resume) }
            if check {
                output.log("config ok: \(config)")
                return
            }
            try runner.run()
        } catch let e as ConfigFileError {
            output.emit(.error(.init(message: e.description, field: e.field)))
            output.log("error: \(e)")
            throw ExitCode(2)
        } catch let e as TrialError {
            output.emit(.error(.init(message: e.message, field: e.field)))
            output.log("error: \(e)")
            throw ExitCode(e.isConfig ? 2 : 1)
        } catch let e as ExitCode {
            throw e
        } catch {
            output.emit(.error(.init(message: "\(error)", field: nil)))
            output.log("error: \(error)")
            throw ExitCode(1)
        }
    }
}
