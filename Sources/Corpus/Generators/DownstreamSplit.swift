import Vocabulary

/// The three disjoint downstream splits.
public enum DownstreamSplit: String, Codable, Sendable, CaseIterable {
    /// The pool the designer's feedback minibatches come from.
    case feedback
    /// For selecting hyperparameters in sweeps; never used for g_down.
    case validation
    /// Only for final comparisons.
    case test

    /// The share of the question space (per mille of FNV-1a 64 of the question
    /// text) that belongs to this split; see `DownstreamGenerator`.
    var buckets: Range<UInt64> {
        switch self {
        case .feedback: return 0..<450
        case .validation: return 450..<600
        case .test: return 600..<1000
        }
    }

    static func of(question: String) -> DownstreamSplit {
        let bucket = FNV1a64.hash(question) % 1000
        return allCases.first { $0.buckets.contains(bucket) }!
    }
}
