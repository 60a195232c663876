import Kernels

extension GPT {
    /// Saves parameters, and the optimizer's moments and update count when
    /// given, plus free-form `meta` (training state of the caller).
    /// `extra` tensors (e.g. a task designer's state) travel in the same file;
    /// `GPT.extraTensors(at:)` reads them back.
    public func saveCheckpoint(to path: String, optimizer: AdamWOptimizer? = nil, meta: [String: String] = [:],
                               extra: [NamedTensor] = []) throws {
        var meta = meta
        var tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)] = layout.tensors.map {
            ($0.name, $0.shape, UnsafeBufferPointer(start: params.base + $0.offset, count: $0.count))
        }
        if let optimizer {
            meta["optimizer.updates"] = String(optimizer.updates)
            tensors.append(("optimizer.m", [layout.count], UnsafeBufferPointer(optimizer.m.buffer)))
            tensors.append(("optimizer.v", [layout.count], UnsafeBufferPointer(optimizer.v.buffer)))
        }
        // Extras are copied into one buffer so every tensor is a pointer for the writer.
        let extraBuffer = FloatBuffer(count: extra.reduce(0) { $0 + $1.values.count })
        var offset = 0
        for t in extra where !t.values.isEmpty {
            t.values.withUnsafeBufferPointer { (extraBuffer.base + offset).update(from: $0.baseAddress!, count: t.values.count) }
            tensors.append((t.name, t.shape, UnsafeBufferPointer(start: extraBuffer.base + offset, count: t.values.count)))
            offset += t.values.count
        }
        try withExtendedLifetime(extraBuffer) {
            try CheckpointFile.write(path: path, config: config, meta: meta, tensors: tensors)
        }
    }

    /// The tensors of a checkpoint that are not the model's or its optimizer's.
    public static func extraTensors(at path: String) throws -> [NamedTensor] {
        let file = try CheckpointFile.read(path: path, as: GPTConfig.self)
        let own = Set(ParameterLayout(file.config).tensors.map(\.name) + ["optimizer.m", "optimizer.v"])
        return file.tensors.filter { !own.contains($0.name) }
    }

    /// Reads a checkpoint's config without building a model (e.g. to size one).
    public static func checkpointConfig(at path: String) throws -> (config: GPTConfig, meta: [String: String]) {
        let c = try CheckpointFile.read(path: path, as: GPTConfig.self)
        return (c.config, c.meta)
    }

    /// Loads parameters (and optimizer state when `optimizer` is given) from
    /// `path`. The checkpoint's shape must equal this model's (batch may differ).
    /// Returns the checkpoint's meta.
    @discardableResult
    public func loadCheckpoint(from path: String, optimizer: AdamWOptimizer? = nil) throws -> [String: String] {
        let file = try CheckpointFile.read(path: path, as: GPTConfig.self)
        var mine = config, theirs = file.config
        mine.batch = 0; theirs.batch = 0
        if mine != theirs {
            throw CheckpointError.mismatch(path: path, field: "model config", checkpoint: Self.describe(file.config),
                                           expected: Self.describe(config))
        }
        let byName = Dictionary(file.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for t in layout.tensors {
            guard let saved = byName[t.name] else { throw CheckpointError.missingTensor(path: path, name: t.name) }
            guard saved.shape == t.shape else {
                throw CheckpointError.mismatch(path: path, field: "shape of \(t.name)", checkpoint: "\(saved.shape)",
                                               expected: "\(t.shape)")
            }
            saved.values.withUnsafeBufferPointer { (params.base + t.offset).update(from: $0.baseAddress!, count: t.count) }
        }
        if let optimizer {
            guard let m = byName["optimizer.m"], let v = byName["optimizer.v"],
                  let u = file.meta["optimizer.updates"].flatMap(Int.init) else {
                throw CheckpointError.missingTensor(path: path, name: "optimizer state")
            }
            guard m.values.count == layout.count, v.values.count == layout.count else {
                throw CheckpointError.mismatch(path: path, field: "optimizer state size", checkpoint: "\(m.values.count)",
                                               expected: "\(layout.count)")
            }
            m.values.withUnsafeBufferPointer { optimizer.m.base.update(from: $0.baseAddress!, count: layout.count) }
            v.values.withUnsafeBufferPointer { optimizer.v.base.update(from: $0.baseAddress!, count: layout.count) }
            optimizer.updates = u
        }
        return file.meta
    }

    static func describe(_ c: GPTConfig) -> String {
        "d_model \(c.dModel), n_layer \(c.nLayer), n_head \(c.nHead), context \(c.context), vocab \(c.vocab)"
    }
}
