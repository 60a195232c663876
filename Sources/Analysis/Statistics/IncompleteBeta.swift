import Foundation

/// The regularized incomplete beta function
/// I_x(a, b) = (1/B(a, b)) ∫₀ˣ s^(a−1) (1 − s)^(b−1) ds, with B(a, b) = Γ(a)Γ(b)/Γ(a + b).
enum IncompleteBeta {
    /// I_x(a, b) and its complement 1 − I_x(a, b) = I_{1−x}(b, a), each accurate in
    /// relative terms where it is the small one.
    ///
    /// `y` must be 1 − x, passed separately so that callers who know it without
    /// cancellation (the t distribution: x = ν/(ν+t²), y = t²/(ν+t²)) keep that accuracy.
    /// The series is the continued fraction of Numerical Recipes §6.4,
    /// I_x(a, b) = xᵃ yᵇ / (a B(a, b)) · 1/(1 + d₁/(1 + d₂/(1 + …))),
    /// evaluated by the modified Lentz method; it converges fast for x < (a+1)/(a+b+2),
    /// and beyond that point the symmetry I_x(a, b) = 1 − I_y(b, a) is used.
    static func regularized(a: Double, b: Double, x: Double, y: Double) -> (value: Double, complement: Double) {
        if x <= 0 { return (0, 1) }
        if y <= 0 { return (1, 0) }
        let logFront = a * log(x) + b * log(y) - logBeta(a, b)
        if x < (a + 1) / (a + b + 2) {
            let value = exp(logFront) * continuedFraction(a: a, b: b, x: x) / a
            return (value, 1 - value)
        } else {
            let complement = exp(logFront) * continuedFraction(a: b, b: a, x: y) / b
            return (1 - complement, complement)
        }
    }

    /// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b).
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        logGamma(a) + logGamma(b) - logGamma(a + b)
    }

    /// log |Γ(x)|. `lgamma_r`, not `lgamma`: the latter writes the global `signgam`,
    /// a data race when two threads compute statistics at once.
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// The continued fraction 1/(1 + d₁/(1 + d₂/(1 + …))) with
    /// d_{2m+1} = −(a+m)(a+b+m) x / ((a+2m)(a+2m+1)) and d_{2m} = m(b−m) x / ((a+2m−1)(a+2m)).
    private static func continuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300  // stands in for a zero denominator (Lentz)
        let epsilon = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...100_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }
}
