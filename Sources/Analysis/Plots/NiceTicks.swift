import Foundation

/// Axis ticks a reader can add up in their head.
///
/// Linear: the step is 1, 2 or 5 × 10ᵏ, chosen as the one nearest (raw/10ᵏ < 1.5 → 1,
/// < 3 → 2, < 7 → 5, else 10) to raw = (upper − lower)/target; the domain is widened
/// to whole steps, so the first and last ticks are its ends. Log: the domain is
/// widened to whole decades and every decade is labelled (above 8 decades every k-th
/// one, the domain widened to a multiple of k); when the domain spans at most two
/// decades, 2·10ᵏ and 5·10ᵏ are labelled too.
public struct NiceTicks: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let values: [Double]
    public let labels: [String]

    /// Ticks for finite data in [lower, upper]. Equal ends are widened by 10% of
    /// their magnitude (or to [−1, 1] around 0), so a single value still gets an axis.
    public static func linear(lower: Double, upper: Double, targetCount: Int = 5) -> NiceTicks {
        var lo = min(lower, upper), hi = max(lower, upper)
        if lo == hi {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let raw = (hi - lo) / Double(max(1, targetCount))
        guard raw.isFinite, raw > 0 else {
            return NiceTicks(lower: lo, upper: hi, values: [lo, hi], labels: [lo, hi].map { String(format: "%.3g", $0) })
        }
        var exponent = floor(log10(raw))
        let residual = raw / pow(10, exponent)
        var multiple: Double = residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10
        if multiple == 10 { multiple = 1; exponent += 1 }
        let step = multiple * pow(10, exponent)
        // The 1e-9 forgives round-off such as 0.3/0.1 = 2.9999999999999996.
        let first = floor(lo / step + 1e-9), last = ceil(hi / step - 1e-9)
        let values = stride(from: first, through: last, by: 1).map { k -> Double in
            let v = k * step
            return abs(v) < step * 1e-9 ? 0 : v
        }
        let largest = max(abs(first * step), abs(last * step))
        let labels = values.map { v -> String in
            if largest >= 1e6 || step < 1e-5 { return String(format: "%.3g", v) }
            return String(format: "%.\(max(0, Int(-exponent)))f", v)
        }
        return NiceTicks(lower: first * step, upper: last * step, values: values, labels: labels)
    }

    /// Decade ticks for positive data in [lower, upper].
    public static func logarithmic(lower: Double, upper: Double) -> NiceTicks {
        let lo = min(lower, upper), hi = max(lower, upper)
        var a = floor(log10(lo) + 1e-12), b = ceil(log10(hi) - 1e-12)
        if a >= b { a -= 1; b += 1 }  // one value exactly on a decade: centre it
        var span = Int(b - a)
        let every = max(1, Int((Double(span) / 8).rounded(.up)))
        if span % every != 0 { span += every - span % every; b = a + Double(span) }  // top end labelled too
        var ticks: [(value: Double, exponent: Int)] = []
        for k in stride(from: Int(a), through: Int(b), by: every) {
            ticks.append((pow(10, Double(k)), k))
            if span <= 2, k < Int(b) {
                ticks.append((2 * pow(10, Double(k)), k))
                ticks.append((5 * pow(10, Double(k)), k))
            }
        }
        ticks.sort { $0.value < $1.value }
        return NiceTicks(lower: pow(10, a), upper: pow(10, b), values: ticks.map(\.value),
                         labels: ticks.map { decadeLabel($0.value, exponent: $0.exponent) })
    }

    /// 0.001 … 100000 written out, other decades as 1e-7, 1e9.
    static func decadeLabel(_ value: Double, exponent: Int) -> String {
        if exponent < -3 || exponent > 5 {
            let mantissa = (value / pow(10, Double(exponent))).rounded()
            return "\(Int(mantissa))e\(exponent)"
        }
        return String(format: "%.\(max(0, -exponent))f", value)
    }
}
