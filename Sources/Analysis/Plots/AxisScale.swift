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

/// Tallies of values a plot could not draw, reported in a note under the plot.
struct SkippedValues: Sendable {
    var nonFinite = 0
    var nonPositiveOnLog = 0
    var other: [String] = []

    /// Counts `value` if it cannot be drawn on `scale`; returns whether it can.
    mutating func check(_ value: Double, on scale: AxisScale) -> Bool {
        if !value.isFinite { nonFinite += 1; return false }
        if scale == .log && value <= 0 { nonPositiveOnLog += 1; return false }
        return true
    }

    var notes: [String] {
        var notes: [String] = []
        if nonFinite > 0 { notes.append("\(nonFinite) non-finite value\(nonFinite == 1 ? "" : "s") (NaN/inf) skipped") }
        if nonPositiveOnLog > 0 { notes.append("\(nonPositiveOnLog) value\(nonPositiveOnLog == 1 ? "" : "s") ≤ 0 skipped on a log axis") }
        return notes + other
    }
}
