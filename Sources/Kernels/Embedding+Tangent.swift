extension Embedding {
    /// Tangent: dOut[b,t] = dWte[tokens[b,t]] + dWpe[t]. Shapes as `forward`; a nil
    /// tangent is zero (e.g. dWte nil when only the tied head's use of wte varies).
    /// dOut is overwritten. Rows are independent, so they split over the cores.
    public static func tangent(_ dOut: UnsafeMutablePointer<Float>, _ tokens: UnsafePointer<Int32>,
                               _ dWte: UnsafePointer<Float>?, _ dWpe: UnsafePointer<Float>?,
                               _ B: Int, _ T: Int, _ C: Int) {
        Parallel.forRows(B * T, grain: 64) { rows in
            for r in rows {
                let o = dOut + r * C
                for i in 0..<C { o[i] = 0 }
                if let dWte {
                    let e = dWte + Int(tokens[r]) * C
                    for i in 0..<C { o[i] += e[i] }
                }
                if let dWpe {
                    let p = dWpe + (r % T) * C
                    for i in 0..<C { o[i] += p[i] }
                }
            }
        }
    }
}
