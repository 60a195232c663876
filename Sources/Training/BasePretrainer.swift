import Vocabulary
import Foundation
import Corpus
import Kernels
import Learner

/// Pretrains a learner from scratch on a dataset's base corpus and stores it,
/// with metadata, under a directory (by default `storage/bases/`). A base with
/// the same recipe and data is reused instead of retrained.
public struct BasePretrainer {
    public struct Recipe: Codable, Sendable, Equatable {
        public var model: GPTConfig
        public var steps: Int
        public var lr: Double
        public var seq: Int
        public var seed: UInt64
        /// FNV-1a-64 of the base corpus file, from the dataset manifest.
        public var dataHash: String

        enum CodingKeys: String, CodingKey { case model, steps, lr, seq, seed, dataHash = "data_hash" }

        /// Stable name for the recipe: base-<16 hex digits>.
        public var key: String {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            let bytes = (try? e.encode(self)) ?? Data()
            return "base-" + FNV1a64.hex(FNV1a64.hash(bytes))
        }
    }

    /// What a stored base says about itself (`<key>.json` next to `<key>.ckpt`).
    public struct Metadata: Codable, Sendable, Equatable {
        public var recipe: Recipe
        public var finalLoss: Double
        public var seconds: Double
        public var tokens: Int
        enum CodingKeys: String, CodingKey { case recipe, finalLoss = "final_loss", seconds, tokens }
    }

    public var recipe: Recipe
    public var directory: String
    public var dataset: String

    /// Progress: (step, steps, loss, elapsed seconds).
    public typealias Progress = (Int, Int, Double, Double) -> Void

    public init(dataset: String, directory: String, model: GPTConfig, steps: Int, lr: Double, seq: Int, seed: UInt64) throws {
        let data: Dataset
        do { data = try Dataset.load(from: dataset) } catch { throw TrialError("cannot load dataset: \(error)", field: "data") }
        guard let file = data.manifest.files.first(where: { $0.name == DatasetLayout.base }) else {
            throw TrialError("dataset \(dataset) has no \(DatasetLayout.base)", field: "data")
        }
        try model.validate()
        guard steps >= 1 else { throw TrialError("steps must be >= 1 (got \(steps))", field: "steps") }
        guard seq >= 1 && seq <= model.context else { throw TrialError("seq must be in 1...\(model.context) (got \(seq))", field: "seq") }
        self.dataset = dataset
        self.directory = directory
        recipe = Recipe(model: model, steps: steps, lr: lr, seq: seq, seed: seed, dataHash: file.fnv1a64)
    }

    public var checkpointPath: String { directory + "/" + recipe.key + ".ckpt" }
    public var metadataPath: String { directory + "/" + recipe.key + ".json" }

    /// The stored base for this recipe, if a complete one exists.
    public func existing() -> Metadata? {
        guard let data = FileManager.default.contents(atPath: metadataPath),
              let meta = try? JSONDecoder().decode(Metadata.self, from: data),
              meta.recipe == recipe, FileManager.default.fileExists(atPath: checkpointPath),
              (try? GPT.checkpointConfig(at: checkpointPath)) != nil else { return nil }
        return meta
    }

    /// Trains and stores the base; returns its metadata.
    public func train(progress: Progress) throws -> Metadata {
        let data = try Dataset.load(from: dataset)
        let bytes = PromptFormat.unlabeledStream(data.base.map(PromptFormat.trainingText))
        let T = recipe.seq, B = recipe.model.batch
        let stream = try TokenStream(bytes: bytes, windowLength: T + 1, seed: recipe.seed)
        let model = try GPT(config: recipe.model, seed: recipe.seed)
        var settings = OptimizerSettings()
        settings.lr = recipe.lr
        settings.lrMin = recipe.lr / 10
        settings.warmup = min(50, recipe.steps / 10)
        let optimizer = AdamWOptimizer(for: model, settings: settings)
        let schedule = settings.schedule(totalSteps: recipe.steps)
        var x = [Int32](repeating: 0, count: B * T), y = [Int32](repeating: 0, count: B * T)
        let t0 = monotonicSeconds()
        var recent: [Double] = []
        for step in 0..<recipe.steps {
            for r in 0..<B {
                let w = stream.window(step: step, row: r)
                for t in 0..<T {
                    x[r * T + t] = Int32(w[w.startIndex + t])
                    y[r * T + t] = Int32(w[w.startIndex + t + 1])
                }
            }
            let loss = x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    model.trainStep(tokens: xp.baseAddress!, targets: .tokens(yp.baseAddress!), batch: B, time: T,
                                    optimizer: optimizer, lr: schedule.rate(at: step)).loss
                }
            }
            guard loss.isFinite else { throw TrialError("base pretraining diverged (loss \(loss) at step \(step))", isConfig: false) }
            recent.append(loss)
            if recent.count > 20 { recent.removeFirst() }
            progress(step + 1, recipe.steps, recent.reduce(0, +) / Double(recent.count), monotonicSeconds() - t0)
        }
        let meta = Metadata(recipe: recipe, finalLoss: recent.reduce(0, +) / Double(max(recent.count, 1)),
                            seconds: monotonicSeconds() - t0, tokens: recipe.steps * B * T)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try model.saveCheckpoint(to: checkpointPath, meta: ["base.recipe": recipe.key])
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Metadata last: a base without it is incomplete and is retrained.
        try e.encode(meta).write(to: URL(fileURLWithPath: metadataPath), options: .atomic)
        return meta
    }
}
