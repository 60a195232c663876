import Learner

/// The `random_feedback` control: the designer is trained with a random direction of the same
/// norm in place of g_down (docs/vpretraining.md, arms).
public enum RandomFeedback {
    /// Writes into `out` (n floats) a direction z/‖z‖·‖g‖ with z ~ N(0, I) drawn from `rng`, so
    /// ‖out‖ = ‖g‖ (norms in float64) and its orientation is uniform on the sphere, independent of g.
    /// Deterministic for the generator's state; the generator advances by n draws, so successive
    /// refreshes give fresh directions. A zero g gives a zero direction. `out` may not alias `g`.
    public static func direction(_ out: UnsafeMutablePointer<Float>, matchingNormOf g: UnsafePointer<Float>,
                                 count n: Int, rng: inout Xoshiro256StarStar) {
        precondition(n >= 0, "RandomFeedback.direction: count must be >= 0")
        for i in 0..<n { out[i] = Float(rng.normal()) }
        rescale(out, toNormOf: g, count: n)
    }

    /// v ← v·‖g‖/‖v‖ (norms in float64; v stays zero when it is zero). For a direction drawn over
    /// every parameter and then restricted to a subset, this gives the subset's part g's norm.
    public static func rescale(_ v: UnsafeMutablePointer<Float>, toNormOf g: UnsafePointer<Float>, count n: Int) {
        var gSquared: Double = 0
        for i in 0..<n { gSquared += Double(g[i]) * Double(g[i]) }
        var vSquared: Double = 0
        for i in 0..<n { vSquared += Double(v[i]) * Double(v[i]) }
        let scale = vSquared > 0 ? (gSquared / vSquared).squareRoot() : 0
        for i in 0..<n { v[i] = Float(Double(v[i]) * scale) }
    }
}
