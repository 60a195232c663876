extension Embedding {
    /// Tangent: dOut[b,t] = dWte[tokens[b,t]] + dWpe[t]. Shapes as `forward`; a nil
    /// tangent is zero (e.g. dWte nil when only the tied head's use of wte varies).
    /// dOut is overwritten.
    public static func tangent(_ dOut: UnsafeMutablePointer<Float>, _ tokens: UnsafePointer<Int32>,
                               _ dWte: UnsafePointer<Float>?, _ dWpe: UnsafePointer<Float>?,
                               _ B: Int, _ T: Int, _ C: Int) {
        for b in 0..<B {
            for t in 0..<T {
                let o = dOut + (b * T + t) * C
                for i in 0..<C { o[i] = 0 }
                if let dWte {
                    let e = dWte + Int(tokens[b * T + t]) * C
                    for i in 0..<C { o[i] += e[i] }
                }
                if let dWpe {
                    let p = dWpe + t * C
                    for i in 0..<C { o[i] += p[i] }
                }
            }
        }
    }
}
