/// Soft targets of the article's fixed controls (no designer), per position t
/// with true next token y_t and the learner's (detached) distribution p_t:
///
/// - candidates: the K most probable tokens of p_t other than y_t (ties: lower token id);
/// - `uniform_topk`:  q_t = (1 − m)·onehot(y_t) + m·uniform over the K candidates;
/// - `self_distill`:  q_t = (1 − m)·onehot(y_t) + m·(p_t restricted to the K candidates, renormalised).
///
/// So q_t sums to 1, is supported on {y_t} ∪ candidates, and q_t(y_t) = 1 − m.
/// With m = 0 both are exactly one-hot (the baseline target).
public enum ControlTargets {
    public enum Kind: Sendable { case uniformTopK, selfDistill }

    /// Writes q (BT, V) and mask (BT) for targets y (BT, −1 = masked) from probs (BT, V).
    /// `scratch` holds K ints.
    public static func build(_ kind: Kind, q: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>,
                             probs: UnsafePointer<Float>, targets y: UnsafePointer<Int32>,
                             rows BT: Int, vocab V: Int, k K: Int, mass m: Float, scratch: UnsafeMutablePointer<Int>) {
        precondition(K >= 1 && K < V, "top_k must be in 1..<\(V)")
        precondition(m >= 0 && m <= 1, "mass must be in [0, 1]")
        q.update(repeating: 0, count: BT * V)
        for r in 0..<BT {
            let target = Int(y[r])
            guard target >= 0 else { mask[r] = 0; continue }
            mask[r] = 1
            let row = q + r * V
            row[target] = 1 - m
            guard m > 0 else { continue }
            let p = probs + r * V
            topK(p, V, excluding: target, K, into: scratch)
            switch kind {
            case .uniformTopK:
                let share = m / Float(K)
                for j in 0..<K { row[scratch[j]] = share }
            case .selfDistill:
                var total: Float = 0
                for j in 0..<K { total += p[scratch[j]] }
                if total > 0 {
                    for j in 0..<K { row[scratch[j]] = m * p[scratch[j]] / total }
                } else {
                    for j in 0..<K { row[scratch[j]] = m / Float(K) }
                }
            }
        }
    }

    /// Indices of the K largest p[v], v ≠ excluded, in decreasing order (ties: lower id first).
    static func topK(_ p: UnsafePointer<Float>, _ V: Int, excluding: Int, _ K: Int, into out: UnsafeMutablePointer<Int>) {
        var n = 0
        for v in 0..<V where v != excluding {
            // insertion into the sorted prefix out[0..<n]; strict > keeps the lower id first on ties
            var i = min(n, K)
            if i == K && !(p[v] > p[out[K - 1]]) { continue }
            if i == K { i = K - 1 }
            while i > 0 && p[v] > p[out[i - 1]] { out[i] = out[i - 1]; i -= 1 }
            out[i] = v
            n = min(n + 1, K)
        }
    }
}
