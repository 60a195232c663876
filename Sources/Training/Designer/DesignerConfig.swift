import Learner
import Vocabulary

/// Settings of the V-pretraining task designer (the `designer.*` config keys; their names,
/// defaults and rules: `TrialConfigKey.Designer`).
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

    public init(massMax: Double = TrialConfigKey.Designer.massMax.defaultValue,
                topK: Int = TrialConfigKey.Designer.topK.defaultValue,
                hidden: Int = TrialConfigKey.Designer.hidden.defaultValue,
                lr: Double = TrialConfigKey.Designer.lr.defaultValue,
                entropy: Double = TrialConfigKey.Designer.entropy.defaultValue) {
        self.massMax = massMax; self.topK = topK; self.hidden = hidden; self.lr = lr; self.entropy = entropy
    }

    // Raw values must be literals: the names of `TrialConfigKey.Designer` (checked by DesignerTests).
    enum CodingKeys: String, CodingKey {
        case massMax = "mass_max", topK = "top_k", hidden, lr, entropy
    }

    /// Throws a `ConfigError` naming the first `designer.*` field out of range.
    public func validate() throws {
        func require(_ ok: Bool, _ key: TrialConfigKey, _ rule: String, _ value: String) throws {
            if !ok { throw ConfigError(field: key.dotted, message: "\(key) must be \(rule) (got \(value))") }
        }
        let keys = TrialConfigKey.Designer.self
        try require(keys.massMax.accepts(massMax), keys.massMax.key, keys.massMax.rule, "\(massMax)")
        // The designer itself takes any K >= 1 below the vocabulary (checked by `TaskDesigner`).
        try require(topK >= 1, keys.topK.key, ">= 1", "\(topK)")
        try require(keys.hidden.accepts(hidden), keys.hidden.key, keys.hidden.rule, "\(hidden)")
        try require(lr > 0 && lr.isFinite, keys.lr.key, "a positive number", "\(lr)")
        try require(entropy >= 0 && entropy.isFinite, keys.entropy.key, keys.entropy.rule, "\(entropy)")
    }
}
