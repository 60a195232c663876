/// Shape of a GPT learner. The vocabulary is bytes (256).
public struct GPTConfig: Sendable, Equatable, Hashable, Codable {
    public var vocab: Int
    public var dModel: Int
    public var nLayer: Int
    public var nHead: Int
    /// Maximum sequence length (size of the position embedding).
    public var context: Int
    /// Maximum batch size the activation buffers are sized for.
    public var batch: Int

    public init(vocab: Int = 256, dModel: Int, nLayer: Int, nHead: Int, context: Int, batch: Int) {
        self.vocab = vocab; self.dModel = dModel; self.nLayer = nLayer
        self.nHead = nHead; self.context = context; self.batch = batch
    }

    enum CodingKeys: String, CodingKey {
        case vocab, dModel = "d_model", nLayer = "n_layer", nHead = "n_head", context, batch
    }

    /// Config S of the benchmarks: d_model 128, 4 layers, 4 heads, context 128, batch 16.
    public static let small = GPTConfig(dModel: 128, nLayer: 4, nHead: 4, context: 128, batch: 16)
    /// Config M of the benchmarks: d_model 256, 6 layers, 8 heads, context 256, batch 8.
    public static let medium = GPTConfig(dModel: 256, nLayer: 6, nHead: 8, context: 256, batch: 8)

    /// Throws a `ConfigError` naming the first field that is out of range.
    public func validate() throws {
        func require(_ ok: Bool, _ field: String, _ rule: String) throws {
            if !ok { throw ConfigError(field: field, message: rule) }
        }
        try require(vocab >= 2 && vocab <= 65536, "vocab", "vocab must be in 2...65536 (got \(vocab))")
        try require(dModel >= 1, "d_model", "d_model must be >= 1 (got \(dModel))")
        try require(nLayer >= 1, "n_layer", "n_layer must be >= 1 (got \(nLayer))")
        try require(nHead >= 1, "n_head", "n_head must be >= 1 (got \(nHead))")
        try require(dModel % max(nHead, 1) == 0, "n_head", "d_model \(dModel) must be divisible by n_head \(nHead)")
        try require(context >= 1, "context", "context must be >= 1 (got \(context))")
        try require(batch >= 1, "batch", "batch must be >= 1 (got \(batch))")
    }

    /// Parameters that matmuls touch per token (non-embedding blocks + the tied head).
    public var matmulParameters: Int { nLayer * 12 * dModel * dModel + vocab * dModel }

    /// Training FLOPs per token at sequence length T (PaLM appendix B):
    /// 6·(matmul parameters) + 12·L·C·T for attention scores and values, forward and backward.
    public func trainingFlopsPerToken(sequence T: Int) -> Double {
        6 * Double(matmulParameters) + 12 * Double(nLayer * dModel * T)
    }
}

/// A configuration value out of range; `field` is the config key at fault.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var field: String
    public var message: String
    public init(field: String, message: String) { self.field = field; self.message = message }
    public var description: String { "\(field): \(message)" }
}
