import Learner

/// Settings of the V-pretraining task designer (the `designer.*` config keys).
///
/// - `massMax` (m_max): upper bound on the mass m_t moved off the true token, in [0, 1];
/// - `topK` (K): alternatives per position, ≥ 1 (and < the vocabulary, checked by `TaskDesigner`);
/// - `hidden`: width of the designer MLP's hidden layer, ≥ 1;
/// - `lr`: the designer's Adam learning rate, > 0;
/// - `entropy` (λ): weight of the entropy bonus λ·(1/N)Σ_t H(r_t) added to V in the ascent, ≥ 0.
public struct DesignerConfig: Sendable, Equatable, Codable {
    public var massMax: Double
    public var topK: Int
    public var hidden: Int
    public var lr: Double
    public var entropy: Double

    public init(massMax: Double = 0.1, topK: Int = 4, hidden: Int = 32, lr: Double = 1e-3, entropy: Double = 0) {
        self.massMax = massMax; self.topK = topK; self.hidden = hidden; self.lr = lr; self.entropy = entropy
    }

    enum CodingKeys: String, CodingKey {
        case massMax = "mass_max", topK = "top_k", hidden, lr, entropy
    }

    /// Throws a `ConfigError` naming the first `designer.*` field out of range.
    public func validate() throws {
        func require(_ ok: Bool, _ key: String, _ rule: String, _ value: String) throws {
            let field = "designer.\(key)"
            if !ok { throw ConfigError(field: field, message: "\(field) must be \(rule) (got \(value))") }
        }
        try require(massMax >= 0 && massMax <= 1, "mass_max", "in [0, 1]", "\(massMax)")
        try require(topK >= 1, "top_k", ">= 1", "\(topK)")
        try require(hidden >= 1, "hidden", ">= 1", "\(hidden)")
        try require(lr > 0 && lr.isFinite, "lr", "a positive number", "\(lr)")
        try require(entropy >= 0 && entropy.isFinite, "entropy", ">= 0", "\(entropy)")
    }
}
