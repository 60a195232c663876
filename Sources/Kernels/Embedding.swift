/// Token + position embedding: out[b,t] = wte[tokens[b,t]] + wpe[t].
/// Shapes: tokens (B, T) in 0..<V, wte (V, C), wpe (≥T, C), out (B, T, C).
public enum Embedding {
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ tokens: UnsafePointer<Int32>,
                               _ wte: UnsafePointer<Float>, _ wpe: UnsafePointer<Float>,
                               _ B: Int, _ T: Int, _ C: Int) {
        for b in 0..<B {
            for t in 0..<T {
                let o = out + (b * T + t) * C
                let e = wte + Int(tokens[b * T + t]) * C, p = wpe + t * C
                for i in 0..<C { o[i] = e[i] + p[i] }
            }
        }
    }

    /// Accumulates dWte[token] += dOut and dWpe[t] += dOut, in row order.
    public static func backward(_ dWte: UnsafeMutablePointer<Float>, _ dWpe: UnsafeMutablePointer<Float>,
                                _ dOut: UnsafePointer<Float>, _ tokens: UnsafePointer<Int32>,
                                _ B: Int, _ T: Int, _ C: Int) {
        for b in 0..<B {
            for t in 0..<T {
                let d = dOut + (b * T + t) * C
                let e = dWte + Int(tokens[b * T + t]) * C, p = dWpe + t * C
                for i in 0..<C { e[i] += d[i]; p[i] += d[i] }
            }
        }
    }
}
