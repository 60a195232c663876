import Foundation

/// The mean one-hot next-token cross-entropy −(1/N) Σ log p(y_t) from the learner's
/// softmax output. Soft-target arms train on q, so their training loss is a cross-entropy
/// against q and not comparable across arms; this one is (for the baseline it equals the
/// training loss). Accumulated in float64; p is floored at the smallest normal float so a
/// zero probability gives a large finite loss, as the fused loss does.
enum OnehotLoss {
    static func mean(probs: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows: Int, vocab: Int) -> Double {
        var sum = 0.0
        for r in 0..<rows {
            let p = max(Double(probs[r * vocab + Int(targets[r])]), Double(Float.leastNormalMagnitude))
            sum -= log(p)
        }
        return sum / Double(rows)
    }
}
