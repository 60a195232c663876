import Vocabulary
import EarlyStopping
import SweepStore

/// Feeds a stopping rule from what is recorded: every trial's curve of normalised
/// values (lower is better; normalised once, at ingest: see `Objective`), loaded from
/// the store at start-up into the rule's incremental tracker and extended by each
/// report this scheduler records (a decision costs O(log n), not a copy of every peer). Turns decisions into the rows stored
/// with the report.
///
/// Only decisions that compared something (at a rung, or against a median) and every
/// stop are stored; "no new rung reached" between rungs is not a decision.
final class StoppingCoordinator {
    private let hyperband: Hyperband?
    private var tracker: (any IncrementalStopping)?

    init(spec: SweepSpec) throws {
        // The rules take the goal only to print their values raw.
        let goal = spec.goal
        let rule: (any StoppingRule)?
        do {
            switch spec.stopping {
            case .none:
                rule = nil; hyperband = nil
            case .median(let warmup, let minPeers):
                rule = try MedianStoppingRule(warmupSteps: warmup, minPeers: minPeers, goal: goal); hyperband = nil
            case .asha(let rMin, let eta, let rMax):
                rule = try ASHA(minResource: rMin, reductionFactor: eta, maxResource: rMax, goal: goal); hyperband = nil
            case .hyperband(let rMin, let eta, let rMax):
                let band = try Hyperband(sweep: spec.name, minResource: rMin, reductionFactor: eta, maxResource: rMax,
                                         goal: goal)
                rule = band; hyperband = band
            }
        } catch let error as StoppingRuleError {
            throw SchedulerError.invalidSpec("stopping: \(error)")
        }
        tracker = rule?.makeTracker()
    }

    /// The Hyperband bracket of a trial; nil for other rules.
    func bracket(of number: Int64) -> Int? {
        hyperband?.bracket(of: Int(number))
    }

    /// Rebuilds the curves of every trial of the sweep from its recorded reports
    /// (the latest attempt's report wins at a repeated step).
    func load(store: SweepStore, sweepID: Int64) throws {
        guard tracker != nil else { return }
        for trial in try store.trials(sweepID: sweepID) {
            var points: [Int64: Double] = [:]
            for report in try store.reports(trialID: trial.id) { points[report.step] = report.normalisedObjective }
            let values = points.keys.sorted().map { StepValue(step: Int($0), value: points[$0]!) }
            if let curve = try? TrialCurve(trialNumber: Int(trial.number), reports: values) { tracker!.load(curve) }
        }
    }

    /// Appends a report to the trial's curve and decides. A step at or below the
    /// curve's last one (a resumed attempt repeating work) replaces the tail.
    func decide(number: Int64, step: Int64, objective: Objective) -> Decision? {
        tracker?.observe(trialNumber: Int(number), step: Int(step), value: objective.normalised)
    }

    /// The rows to store with the report: rung results for every rung first reached,
    /// and the decision when it compared something or stops the trial.
    func rows(for decision: Decision, trialID: Int64, step: Int64, objective: Objective)
        -> (rungs: [NewRungResult], decision: NewDecision?) {
        let detail = decision.detail
        var rungs: [NewRungResult] = []
        if objective.normalised.isFinite {
            rungs = detail.rungsReached.map {
                NewRungResult(trialID: trialID, bracket: detail.bracket ?? 0, rung: $0.index,
                              resource: Double($0.resource), objective: objective)
            }
        }
        guard decision.isStop || detail.rung != nil || detail.threshold != nil else { return (rungs, nil) }
        var numbers: [String: Double] = ["value": detail.value, "peers": Double(detail.peerCount)]
        if let threshold = detail.threshold { numbers["threshold"] = threshold }
        if let rung = detail.rung {
            numbers["rung"] = Double(rung.index)
            numbers["rung_resource"] = Double(rung.resource)
        }
        if let bracket = detail.bracket { numbers["bracket"] = Double(bracket) }
        let row = NewDecision(trialID: trialID, step: step, rule: detail.rule,
                              action: decision.isStop ? .stop : .continue, reason: detail.reason, detail: numbers)
        return (rungs, row)
    }
}
