import Foundation

/// Power of the two-sided paired t-test, the minimum detectable effect and the pairs
/// (seeds) an effect needs.
///
/// With n pairs, ν = n − 1, true mean difference Δ and true sd of the differences σ,
/// the t statistic follows a noncentral t with ν degrees of freedom and noncentrality
/// λ = (Δ/σ)√n, so with c = t_{1−α/2, ν}:
///
///   power = P(T′ > c) + P(T′ < −c) = E_W[Φ(λ − cW) + Φ(−λ − cW)],  W = √(χ²_ν/ν),
///
/// integrated over the density of W, f(w) = 2νw · f_{χ²_ν}(νw²), on [0, 1 + 40/√ν]
/// (beyond it the integrand is below 1e-300) by 20-point Gauss–Legendre on panels of
/// width min(¼, 1/c) (Φ(λ − cw) turns over on a scale of 1/c: c = 12.7 at ν = 1).
/// This is the exact power of the t-test under normal differences (scipy: `nct.sf(c, ν, λ)
/// + nct.cdf(−c, ν, λ)`); the sign-flip test, with the same asymptotic efficiency, has
/// about this power once 2^(1−n) ≤ α, and none before (it cannot reach p ≤ α).
public enum PairedPower {
    /// Power of the two-sided paired t-test at level α with n ≥ 2 pairs and standardised
    /// effect Δ/σ.
    public static func power(standardizedEffect effect: Double, pairs n: Int, alpha: Double = 0.05) throws -> Double {
        guard n >= 2 else { throw AnalysisError("pairs is \(n); power needs at least 2 pairs") }
        guard alpha > 0, alpha < 1 else { throw AnalysisError("alpha is \(alpha); it must be in (0, 1)") }
        guard !effect.isNaN else { throw AnalysisError("effect is NaN") }
        if effect.isInfinite { return 1 }
        let nu = Double(n - 1)
        let c = try StudentT(degreesOfFreedom: nu).quantile(1 - alpha / 2)
        let lambda = abs(effect) * Double(n).squareRoot()
        let logNorm = log(2 * nu) - (nu / 2) * log(2) - IncompleteBeta.logGamma(nu / 2)
        func density(_ w: Double) -> Double {
            if w <= 0 { return nu == 1 ? (2 / Double.pi).squareRoot() : 0 }
            return exp(logNorm + log(w) + (nu / 2 - 1) * log(nu * w * w) - nu * w * w / 2)
        }
        func integrand(_ w: Double) -> Double {
            density(w) * (StandardNormal.cdf(lambda - c * w) + StandardNormal.cdf(-lambda - c * w))
        }
        let upper = 1 + 40 / nu.squareRoot()
        let panels = Int((upper / min(0.25, 1 / c)).rounded(.up))
        let width = upper / Double(panels)
        var sum = 0.0
        for k in 0..<panels {
            let mid = (Double(k) + 0.5) * width
            var panel = 0.0
            for (x, w) in zip(GaussLegendre.nodes, GaussLegendre.weights) { panel += w * integrand(mid + 0.5 * width * x) }
            sum += 0.5 * width * panel
        }
        return min(1, max(0, sum))
    }

    /// The standardised effect Δ/σ > 0 the test detects with probability `power` (by
    /// bisection to 1e-13 relative).
    public static func detectableEffect(pairs n: Int, alpha: Double = 0.05, power target: Double = 0.8) throws -> Double {
        guard target > alpha, target < 1 else { throw AnalysisError("power is \(target); it must be in (alpha, 1)") }
        var lo = 0.0, hi = 1.0
        while try power(standardizedEffect: hi, pairs: n, alpha: alpha) < target { lo = hi; hi *= 2 }
        while hi - lo > 1e-13 * hi {
            let mid = (lo + hi) / 2
            if try power(standardizedEffect: mid, pairs: n, alpha: alpha) < target { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// The smallest number of pairs n ≥ 2 at which the t-test reaches `power` for Δ/σ,
    /// up to `limit` (nil beyond it, or for a zero effect).
    public static func pairsNeeded(standardizedEffect effect: Double, alpha: Double = 0.05, power target: Double = 0.8,
                                   limit: Int = 100_000) throws -> Int? {
        guard effect != 0 else { return nil }
        // Power grows with n: double, then bisect.
        var hi = 2
        while try power(standardizedEffect: effect, pairs: hi, alpha: alpha) < target {
            if hi >= limit { return nil }
            hi = min(limit, hi * 2)
        }
        var lo = max(2, hi / 2)
        if try power(standardizedEffect: effect, pairs: lo, alpha: alpha) >= target { return lo }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if try power(standardizedEffect: effect, pairs: mid, alpha: alpha) >= target { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// The fewest pairs with which the exact sign-flip test can reach p ≤ α at all:
    /// the smallest n with 2^(1−n) ≤ α (6 for α = 0.05).
    public static func signFlipMinimumPairs(alpha: Double = 0.05) -> Int {
        var n = 1
        while SignFlipTest.smallestAttainable(pairs: n) > alpha { n += 1 }
        return n
    }
}

/// Nodes and weights of 20-point Gauss–Legendre quadrature on [−1, 1]: the roots of
/// P₂₀ by Newton's method from cos(π(i − ¼)/(n + ½)), weights 2/((1 − x²) P′₂₀(x)²).
enum GaussLegendre {
    static let (nodes, weights): ([Double], [Double]) = {
        let n = 20
        var xs: [Double] = [], ws: [Double] = []
        for i in 1...n {
            var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for k in 2...n {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1; p1 = p2
                }
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let step = p1 / derivative
                x -= step
                if abs(step) < 1e-16 { break }
            }
            xs.append(x)
            ws.append(2 / ((1 - x * x) * derivative * derivative))
        }
        return (xs, ws)
    }()
}
