import SweepStore
import Vocabulary

/// What the dispatcher knows of its sweep between store writes, shared by its parts:
/// trials by state (for the live view), the best so far, the sampler's view of every
/// trial, the highest trial number, and the counters the benchmarks read. Loaded from
/// the store at start-up, then kept at every transition the dispatcher records.
final class SweepLedger {
    var stats = SchedulerStats()
    var tally = TrialTally()
    /// The best completed objective so far (raw) and its trial.
    var best: (number: Int64, value: Double)? { bestSoFar.map { ($0.number, $0.value.raw) } }
    private var bestSoFar: (number: Int64, value: Objective)?
    var history: [Int64: PastTrial] = [:]
    /// The highest trial number known (trials are numbered densely from 1).
    var highestNumber: Int64 = 0

    init() {}

    /// Every trial of the sweep as recorded (after recovery).
    func load(_ trials: [Trial]) {
        tally = TrialTally(trials)
        for trial in trials {
            highestNumber = max(highestNumber, trial.number)
            history[trial.number] = PastTrial(number: Int(trial.number), params: trial.params,
                                              isRunning: !trial.state.isTerminal, normalisedObjective: nil)
            noteEnd(trial)
        }
    }

    /// A trial as recorded after its attempt ended: the sampler's view and the best.
    func noteEnd(_ trial: Trial) {
        history[trial.number]?.isRunning = trial.state == .queued || trial.state == .running
        guard trial.state.isTerminal, let value = trial.storedFinalValue, value.raw.isFinite else { return }
        history[trial.number]?.normalisedObjective = value.normalised
        if trial.state == .completed, bestSoFar.map({ value.normalised < $0.value.normalised }) ?? true {
            bestSoFar = (trial.number, value)
        }
    }

    /// An attempt's end as recorded: the tally, the outcome counters, the sampler's view
    /// and the best. Returns the outcome's name ("interrupted" for a re-queued trial).
    func recordEnd(_ trial: Trial, intent: ActiveTrial.Intent) -> String {
        if case .stop(_, let rung?) = intent { stats.stoppedAtRung[rung, default: 0] += 1 }
        tally.record(trial, leaving: .running)
        let outcome = trial.state == .queued ? "interrupted" : trial.state.rawValue
        count(outcome: outcome)
        noteEnd(trial)
        return outcome
    }

    /// The log line of an attempt's end, with the best so far.
    func endLine(_ trial: Trial, outcome: String, attempt: Int, how: String, metric: String) -> String {
        let detail = trial.error.map { ": \($0)" } ?? ""
        let value = trial.finalValue.map { ", \(metric) = \($0)" } ?? ""
        let bestText = best.map { "; best so far: trial \($0.number), \(metric) = \($0.value)" } ?? ""
        return "trial \(trial.number) \(outcome) (attempt \(attempt), \(how)\(value))\(detail)\(bestText)"
    }

    func count(outcome: String) {
        stats.outcomes[outcome, default: 0] += 1
    }
}
