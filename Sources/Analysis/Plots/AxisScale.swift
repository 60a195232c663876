import Foundation

/// How a numeric axis maps values to positions.
public enum AxisScale: String, Sendable, CaseIterable {
    case linear
    /// log₁₀; values ≤ 0 cannot be drawn and are skipped (and counted in the plot's note).
    case log

    func accepts(_ value: Double) -> Bool { value.isFinite && (self == .linear || value > 0) }
}

/// A numeric axis: its domain, ticks, and the map from a value to a fraction of the
/// axis length (0 at the lower end, 1 at the upper end).
struct NumericAxis: Sendable {
    let scale: AxisScale
    let ticks: NiceTicks

    /// `values` must be non-empty and accepted by the scale.
    init(scale: AxisScale, values: [Double], targetTicks: Int) {
        self.scale = scale
        let lo = values.min()!, hi = values.max()!
        ticks = scale == .log ? NiceTicks.logarithmic(lower: lo, upper: hi)
                              : NiceTicks.linear(lower: lo, upper: hi, targetCount: targetTicks)
    }

    func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - ticks.lower) / (ticks.upper - ticks.lower)
        case .log: return (log10(value) - log10(ticks.lower)) / (log10(ticks.upper) - log10(ticks.lower))
        }
    }
}
