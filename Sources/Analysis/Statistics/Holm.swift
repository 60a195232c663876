/// Holm's step-down adjustment (Holm 1979) of m p-values for the family-wise error
/// rate: with p₍₁₎ ≤ … ≤ p₍ₘ₎, adjusted p₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1) p₍ⱼ₎).
/// Ties keep input order (a stable sort), which does not change the result.
/// nil entries (no p-value) are left out of m and stay nil.
public enum Holm {
    public static func adjust(_ p: [Double?]) -> [Double?] {
        let present = p.indices.filter { p[$0] != nil }.sorted { (p[$0]!, $0) < (p[$1]!, $1) }
        let m = present.count
        var out = [Double?](repeating: nil, count: p.count)
        var running = 0.0
        for (j, index) in present.enumerated() {
            running = max(running, min(1, Double(m - j) * p[index]!))
            out[index] = running
        }
        return out
    }
}
