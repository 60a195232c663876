import Foundation

/// AdamW hyperparameters (PyTorch semantics: decoupled weight decay).
public struct AdamWHyper: Sendable, Equatable, Codable {
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    public var weightDecay: Float
    public init(beta1: Float = 0.9, beta2: Float = 0.95, eps: Float = 1e-8, weightDecay: Float = 0.1) {
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
    }
}

/// One AdamW update over a contiguous slice of parameters.
/// With step t (1-based): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
/// p ← p − lr·(m/(1−β1ᵗ) / (√(v/(1−β2ᵗ)) + eps) + wd·p).
public enum AdamW {
    public static func update(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>,
                              _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                              count n: Int, lr: Float, weightDecay wd: Float, step t: Int, hyper h: AdamWHyper) {
        precondition(t >= 1, "AdamW step is 1-based")
        let b1 = h.beta1, b2 = h.beta2, eps = h.eps
        let c1 = 1 / (1 - Float(pow(Double(b1), Double(t))))
        let c2 = 1 / (1 - Float(pow(Double(b2), Double(t))))
        Parallel.forRows(n, grain: 16384) { range in
            for i in range {
                let g = grad[i]
                let mi = b1 * m[i] + (1 - b1) * g
                let vi = b2 * v[i] + (1 - b2) * g * g
                m[i] = mi
                v[i] = vi
                param[i] -= lr * ((mi * c1) / ((vi * c2).squareRoot() + eps) + wd * param[i])
            }
        }
    }
}

/// Global-norm gradient clipping (PyTorch's clip_grad_norm_ rule).
public enum GradClip {
    /// √(Σ g²) in a fixed order: squares summed in float32 within chunks of 4096, the chunk
    /// sums accumulated in float64 (so the float32 part carries at most 4096 terms: relative
    /// error ≲ 4096·2⁻²⁴ ≈ 2.4e-4 in the worst case, ~√4096·2⁻²⁴ typically; the clip
    /// coefficient does not need more).
    public static func norm(_ grad: UnsafePointer<Float>, _ n: Int) -> Double {
        var total: Double = 0
        var i = 0
        while i < n {
            let end = min(n, i + 4096)
            var s: Float = 0
            for j in i..<end { s += grad[j] * grad[j] }
            total += Double(s)
            i = end
        }
        return total.squareRoot()
    }

    /// Scales grad by min(1, clip/(norm + 1e-6)); returns the norm before clipping.
    @discardableResult
    public static func clip(_ grad: UnsafeMutablePointer<Float>, _ n: Int, maxNorm: Double) -> Double {
        let total = norm(grad, n)
        guard maxNorm > 0 else { return total }
        let coef = min(1, maxNorm / (total + 1e-6))
        if coef < 1 {
            let c = Float(coef)
            for i in 0..<n { grad[i] *= c }
        }
        return total
    }
}

/// Linear warmup then cosine decay to a floor.
public struct LRSchedule: Sendable, Equatable, Codable {
    public var peak: Double
    public var warmup: Int
    public var total: Int
    public var floor: Double
    public init(peak: Double, warmup: Int, total: Int, floor: Double) {
        self.peak = peak; self.warmup = warmup; self.total = total; self.floor = floor
    }

    /// Learning rate at 0-based step s.
    public func rate(at s: Int) -> Double {
        if s < warmup { return peak * Double(s + 1) / Double(warmup) }
        let progress = min(1, Double(s - warmup) / Double(max(1, total - warmup)))
        return floor + 0.5 * (peak - floor) * (1 + cos(Double.pi * progress))
    }
}
