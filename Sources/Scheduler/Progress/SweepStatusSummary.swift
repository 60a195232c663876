import Foundation
import SweepStore

/// What the live view of `vsweep run` shows, as plain lines: trials by state, the best
/// so far, each running trial with its step, rung and latest value, and an ETA. Pure
/// (the CLI draws it on a terminal), so the arithmetic is tested.
public struct SweepStatusSummary: Sendable {
    public var spec: SweepSpec
    public var progress: SweepProgress
    /// Trials of the sweep by state, and the seconds of those that ended.
    public var tally: TrialTally
    public var counts: [TrialState: Int] { tally.counts }

    public init(spec: SweepSpec, progress: SweepProgress) {
        self.spec = spec
        self.progress = progress
        tally = progress.tally
    }

    /// `endedSeconds`: wall-clock seconds of the trials that have ended (completed or
    /// stopped early).
    public init(spec: SweepSpec, progress: SweepProgress, counts: [TrialState: Int], endedSeconds: [Double]) {
        self.spec = spec
        self.progress = progress
        tally = TrialTally(counts: counts, endedSeconds: endedSeconds)
    }

    /// Resources at which the stopping rule decides: r_min·η^k up to r_max for ASHA and
    /// Hyperband; none for the median rule and `none`.
    public static func rungs(of stopping: SweepSpec.StoppingSpec) -> [Int] {
        switch stopping {
        case .asha(let rMin, let eta, let rMax), .hyperband(let rMin, let eta, let rMax):
            guard rMin >= 1, eta >= 2 else { return [] }
            var rungs: [Int] = []
            var r = rMin
            while r <= rMax { rungs.append(r); r *= eta }
            return rungs
        case .none, .median: return []
        }
    }

    /// How many rungs a trial at `step` has passed (0: none yet).
    public func rung(atStep step: Int64) -> Int {
        Self.rungs(of: spec.stopping).filter { Int64($0) <= step }.count
    }

    /// Seconds left: the trials still to start (max_trials − created) plus the queued
    /// ones take the mean duration of ended trials; running ones take what is left of
    /// it; all spread over the parallel slots. nil before any trial ended or without
    /// max_trials.
    public var etaSeconds: Double? {
        guard let mean = tally.meanEndedSeconds, let maxTrials = spec.maxTrials else { return nil }
        let created = counts.values.reduce(0, +)
        let waiting = max(0, maxTrials - created) + (counts[.queued] ?? 0)
        let running = progress.running.reduce(0.0) { $0 + max(0, mean - $1.seconds) }
        return (Double(waiting) * mean + running) / Double(max(1, spec.parallelTrials))
    }

    public var lines: [String] {
        let ended = TrialState.allCases.filter(\.isTerminal).reduce(0) { $0 + (counts[$1] ?? 0) }
        let total = spec.maxTrials.map(String.init) ?? "?"
        var head = "\(spec.name): \(ended)/\(total) ended"
        let detail = [(TrialState.completed, "completed"), (.stoppedEarly, "stopped"), (.failed, "failed"),
                      (.timedOut, "timed out"), (.cancelled, "cancelled"), (.queued, "queued")]
            .compactMap { state, word in (counts[state] ?? 0) > 0 ? "\(counts[state]!) \(word)" : nil }
        if !detail.isEmpty { head += " (" + detail.joined(separator: ", ") + ")" }
        head += " · \(progress.running.count) running · \(Self.duration(progress.elapsedSeconds)) elapsed"
        head += " · ETA " + (etaSeconds.map { "~" + Self.duration($0) } ?? "?")
        var lines = [head]
        if let best = progress.best {
            lines.append("best: trial \(best.number), \(spec.metric) = \(Self.number(best.value))")
        } else {
            lines.append("best: none yet")
        }
        let budget: String
        switch spec.budget {
        case .updates(let updates)?: budget = "/\(updates)"
        default: budget = ""
        }
        let rungCount = Self.rungs(of: spec.stopping).count
        for trial in progress.running {
            var line = "  #\(trial.number)  step \(trial.step)\(budget)"
            if rungCount > 0 { line += "  rung \(rung(atStep: trial.step))/\(rungCount)" }
            line += "  \(spec.metric) " + (trial.value.map(Self.number) ?? "-")
            line += "  \(Self.duration(trial.seconds))"
            if trial.attempt > 1 { line += "  (attempt \(trial.attempt))" }
            lines.append(line)
        }
        return lines
    }

    /// 75 → "1m15s", 3725 → "1h02m", 9 → "9s".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
    }

    static func number(_ x: Double) -> String {
        x.isFinite ? String(format: "%.4g", x) : "\(x)"
    }
}
