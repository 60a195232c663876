/// A stopping rule that keeps what it compares against between reports, so that a
/// decision costs O(log n) in the number of trials instead of copying and ranking
/// every peer's curve (which made a sweep O(n²)). Its decisions are exactly the
/// pure rule's on the same history (`IncrementalStoppingTests` replays a recorded
/// sweep through both); the pure rules stay the specification.
///
/// Values are normalised (lower is better), as everywhere in this target.
public protocol IncrementalStopping {
    /// Adds a trial's curve as recorded (at start-up, from the store); no decision.
    mutating func load(_ curve: TrialCurve)
    /// Appends a report to the trial's curve — replacing the tail at or after `step`
    /// (a resumed attempt repeating work) — and decides. nil when the curve would be
    /// invalid (a negative step), as the pure rules cannot decide on it either.
    mutating func observe(trialNumber: Int, step: Int, value: Double) -> Decision?
}

/// Every trial's curve, with the tail replacement both trackers need.
struct Curves {
    private(set) var points: [Int: [StepValue]] = [:]

    /// Replaces the trial's points at or after `step` by (step, value); returns the
    /// last step before and after the change (-1: none), or nil for a negative step.
    mutating func append(trial: Int, step: Int, value: Double) -> (oldLast: Int, kept: Int)? {
        guard step >= 0 else { return nil }
        var curve = points[trial] ?? []
        let oldLast = curve.last?.step ?? -1
        while let last = curve.last, last.step >= step { curve.removeLast() }
        let kept = curve.last?.step ?? -1
        curve.append(StepValue(step: step, value: value))
        points[trial] = curve
        return (oldLast, kept)
    }

    mutating func set(_ curve: TrialCurve) { points[curve.trialNumber] = curve.reports }

    /// The best ranking value at steps ≤ `step` in `curve`, nil if none.
    static func best(_ curve: [StepValue], upTo step: Int) -> Double? {
        var best: Double?
        for point in curve {
            if point.step > step { break }
            best = Swift.min(best ?? .infinity, point.rankingValue)
        }
        return best
    }
}
