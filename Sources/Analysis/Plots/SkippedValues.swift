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
