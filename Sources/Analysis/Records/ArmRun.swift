import Foundation
import SweepStore

/// One trial of a comparison as the analysis reads it from the store: its arm and
/// seed, how it ended, the metric at the end, the last report's metrics, its learning
/// curve, the updates it achieved and the machine load it ran under.
public struct ArmRun: Sendable, Equatable {
    public struct CurvePoint: Sendable, Equatable {
        public var step: Int64
        public var metrics: [String: Double]

        public init(step: Int64, metrics: [String: Double]) {
            self.step = step
            self.metrics = metrics
        }
    }

    public var number: Int64
    public var arm: String
    public var seed: Int64
    public var state: TrialState
    /// The comparison metric at the end (the trial's final value); nil unless completed.
    public var value: Double?
    /// Every metric of the trial's last report (the engine's final evaluation).
    public var finalMetrics: [String: Double]
    public var curve: [CurvePoint]
    public var updates: Int64
    public var trainSeconds: Double
    /// Mean 1-minute load average over the attempts' samples; nil if never sampled.
    public var loadMean: Double?
    /// Per Pass@1 metric (e.g. `test_pass1`): question id → answered correctly, from the
    /// trial's `questions.json`; empty when the engine wrote none (or it was not found).
    public var questions: [String: [String: Bool]] = [:]

    public init(number: Int64, arm: String, seed: Int64, state: TrialState, value: Double?,
                finalMetrics: [String: Double], curve: [CurvePoint], updates: Int64, trainSeconds: Double,
                loadMean: Double?) {
        self.number = number
        self.arm = arm
        self.seed = seed
        self.state = state
        self.value = value
        self.finalMetrics = finalMetrics
        self.curve = curve
        self.updates = updates
        self.trainSeconds = trainSeconds
        self.loadMean = loadMean
    }

    /// The runs of a comparison sweep, in trial order. Trials without an arm (a sweep
    /// that is not a comparison) are an error naming the sweep. With `runsDirectory`, each
    /// trial's per-question outcomes are read from `<runs>/<sweep>/trial-<n>/questions.json`
    /// (or the directory of its last checkpoint).
    public static func load(from store: SweepStore, sweep: Sweep, runsDirectory: String? = nil) throws -> [ArmRun] {
        try store.trials(sweepID: sweep.id).map { trial in
            guard let arm = trial.arm else {
                throw AnalysisError("sweep \(sweep.name) is not a comparison (its trials have no arm); "
                                    + "use vsweep trials / best / report")
            }
            // Step order, attempts in order within a step: a resumed attempt's report
            // replaces the one it re-did.
            let reports = try store.reports(trialID: trial.id)
            var curve: [CurvePoint] = []
            for report in reports {
                if curve.last?.step == report.step { curve.removeLast() }
                curve.append(CurvePoint(step: report.step, metrics: report.metrics))
            }
            let attempts = try store.attempts(trialID: trial.id)
            let samples = attempts.reduce(0) { $0 + $1.loadSamples }
            let weighted = attempts.reduce(0.0) { $0 + ($1.loadMean ?? 0) * Double($1.loadSamples) }
            var run = ArmRun(number: trial.number, arm: arm, seed: trial.seed, state: trial.state,
                             value: trial.state == .completed ? trial.finalValue : nil,
                             finalMetrics: reports.last?.metrics ?? [:],
                             curve: curve,
                             updates: trial.updatesDone, trainSeconds: trial.trainSeconds,
                             loadMean: samples > 0 ? weighted / Double(samples) : nil)
            if let runsDirectory, trial.state == .completed {
                var directories = ["\(runsDirectory)/\(sweep.name)/trial-\(trial.number)"]
                if let checkpoint = trial.lastCheckpointPath { directories.append((checkpoint as NSString).deletingLastPathComponent) }
                for directory in directories {
                    if let found = try QuestionOutcomes.load(directory: directory) { run.questions = found; break }
                }
            }
            return run
        }
    }
}
