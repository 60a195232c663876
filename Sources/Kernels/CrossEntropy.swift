/// Softmax cross-entropy against a target distribution per position.
/// loss = (1/N) Σ_{unmasked t} −Σ_v q_t(v)·log p_t(v), N = number of unmasked positions,
/// so dLoss/dlogits_t = (p_t − q_t)/N (zero for masked positions).
/// Shapes: logits, probs, dLogits (BT, V).
public enum CrossEntropy {
    /// Row-wise softmax: probs = softmax(logits), lse = log Σ_v exp(logits) (so log p = z − lse
    /// stays accurate where p underflows).
    public static func softmax(_ probs: UnsafeMutablePointer<Float>, _ lse: UnsafeMutablePointer<Float>,
                               _ logits: UnsafePointer<Float>, _ BT: Int, _ V: Int) {
        Parallel.forRows(BT, grain: 32) { rows in
            for r in rows {
                let z = logits + r * V, p = probs + r * V
                let mx = FastMath.max(z, V)
                p.update(from: z, count: V)
                let sum = FastMath.expInPlace(p, V, minus: mx)
                let inv = 1 / sum
                for v in 0..<V { p[v] *= inv }
                lse[r] = mx + FastMath.log(sum)
            }
        }
    }

    /// One-hot targets: `targets[r]` is the target token, or −1 for a masked position.
    /// Returns the mean loss over unmasked positions and writes dLogits = (p − onehot)/N.
    public static func forwardBackward(tokens targets: UnsafePointer<Int32>, _ dLogits: UnsafeMutablePointer<Float>,
                                       _ probs: UnsafePointer<Float>, _ logits: UnsafePointer<Float>,
                                       _ lse: UnsafePointer<Float>, _ BT: Int, _ V: Int) -> Double {
        var n = 0
        for r in 0..<BT where targets[r] >= 0 { n += 1 }
        // Divide (not multiply by 1/N) so the gradient is exactly (p − q)/N as float32 computes it.
        let nf = Float(max(n, 1))
        var loss: Double = 0
        for r in 0..<BT {
            let p = probs + r * V, d = dLogits + r * V
            let y = Int(targets[r])
            if y < 0 {
                for v in 0..<V { d[v] = 0 }
                continue
            }
            precondition(y < V, "CrossEntropy: target \(y) out of vocabulary \(V)")
            loss += Double(lse[r] - logits[r * V + y])
            for v in 0..<V { d[v] = p[v] / nf }
            d[y] = (p[y] - 1) / nf
        }
        return n > 0 ? loss / Double(n) : 0
    }

    /// Dense targets: `q` (BT, V) rows are distributions; `mask[r] == 0` excludes row r.
    public static func forwardBackward(distribution q: UnsafePointer<Float>, mask: UnsafePointer<UInt8>?,
                                       _ dLogits: UnsafeMutablePointer<Float>, _ probs: UnsafePointer<Float>,
                                       _ logits: UnsafePointer<Float>, _ lse: UnsafePointer<Float>,
                                       _ BT: Int, _ V: Int) -> Double {
        var n = 0
        for r in 0..<BT where mask.map({ $0[r] != 0 }) ?? true { n += 1 }
        // Divide (not multiply by 1/N) so the gradient is exactly (p − q)/N as float32 computes it.
        let nf = Float(max(n, 1))
        var loss: Double = 0
        for r in 0..<BT {
            let p = probs + r * V, qr = q + r * V, d = dLogits + r * V
            if let mask, mask[r] == 0 {
                for v in 0..<V { d[v] = 0 }
                continue
            }
            let z = logits + r * V
            var rowLoss: Float = 0
            for v in 0..<V where qr[v] != 0 { rowLoss += qr[v] * (lse[r] - z[v]) }
            loss += Double(rowLoss)
            for v in 0..<V { d[v] = (p[v] - qr[v]) / nf }
        }
        return n > 0 ? loss / Double(n) : 0
    }
}
