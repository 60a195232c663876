import ArgumentParser
import Kernels
import Foundation
import Learner
import Training

struct BaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "base",
        abstract: "Pretrain a base learner from scratch on a dataset's base corpus (reused when the same recipe exists).",
        discussion: "Prints the checkpoint path as the last line of stdout. Progress goes to stderr (a bar on a terminal).")

    enum Preset: String, ExpressibleByArgument, CaseIterable {
        case tiny, small, medium
        var config: GPTConfig {
            switch self {
            case .tiny: GPTConfig(dModel: 64, nLayer: 2, nHead: 2, context: 128, batch: 16)
            case .small: .small
            case .medium: .medium
            }
        }
    }

    @Option(help: "Dataset directory (from `vsweep data generate`).") var data: String
    @Option(help: "Where bases are stored.") var out = "storage/bases"
    @Option(help: "Model size: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")).") var preset: Preset = .small
    @Option(help: "Training steps.") var steps = 600
    @Option(help: "Peak learning rate.") var lr = 3e-3
    @Option(help: "Batch size (sequences per step).") var batch: Int?
    @Option(help: "Sequence length (default: the preset's context).") var seq: Int?
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Flag(help: "Retrain even if a base with this recipe exists.") var force = false
    @Option(help: "Also make PATH a symbolic link to the base (a stable name for specs, e.g. storage/bases/default.ckpt).")
    var link: String?

    func run() throws {
        // Before any BLAS work, and only where the engine runs: Debian's OpenBLAS may
        // need a hint on recent CPUs (a re-exec); the scheduler and readers never pay it.
        BLASRuntime.ensureFastKernels()
        var model = preset.config
        if let batch { model.batch = batch }
        let trainer = try withInputErrors {
            try BasePretrainer(dataset: data, directory: out, model: model, steps: steps, lr: lr,
                               seq: seq ?? model.context, seed: seed)
        }
        if !force, let meta = trainer.existing() {
            log("reusing \(trainer.checkpointPath) (same recipe and data; final loss \(String(format: "%.4f", meta.finalLoss)))")
            try makeLink(to: trainer.checkpointPath)
            print(trainer.checkpointPath)
            return
        }
        let bar = ProgressBar(label: "base \(preset.rawValue)")
        let meta = try trainer.train { step, total, loss, seconds in
            bar.update(step: step, total: total, detail: String(format: "loss %.3f", loss), seconds: seconds)
        }
        bar.finish()
        log(String(format: "trained %@ in %.1f s: %d steps, %d tokens, final loss %.4f", trainer.checkpointPath,
                   meta.seconds, meta.recipe.steps, meta.tokens, meta.finalLoss))
        try makeLink(to: trainer.checkpointPath)
        print(trainer.checkpointPath)
    }

    func makeLink(to checkpoint: String) throws {
        guard let link else { return }
        let fm = FileManager.default
        let absolute = URL(fileURLWithPath: checkpoint).standardizedFileURL
        let linkDir = URL(fileURLWithPath: link).standardizedFileURL.deletingLastPathComponent()
        // Relative when side by side, so the repository can move.
        let target = absolute.deletingLastPathComponent() == linkDir ? absolute.lastPathComponent : absolute.path
        try? fm.removeItem(atPath: link)
        try fm.createDirectory(atPath: (link as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: link, withDestinationPath: target)
        log("\(link) -> \(target)")
    }
}

func log(_ message: String) {
    try? FileHandle.standardError.write(contentsOf: Data((message + "\n").utf8))
}
