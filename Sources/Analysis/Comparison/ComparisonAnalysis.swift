import Foundation
import SweepStore

/// A budget-matched comparison of arms across seeds, from its recorded runs: per arm
/// the metric's n, mean ± sd, median and interquartile mean, the extra metrics, the
/// updates and training seconds achieved and the machine load; per arm but the
/// reference, the paired difference to the reference (same seed) for the metric and
/// every report metric, with the exact sign-flip p (primary), its Holm adjustment across
/// the arms, the t interval and p, the bootstrap (from 10 pairs up), the minimum
/// detectable difference, and the probability of improvement (see `PairedComparison`,
/// `Aggregates`). Warnings say what weakens the comparison; `notes` what limits it.
public struct ComparisonAnalysis: Sendable {
    public struct Settings: Sendable, Equatable {
        public var arms: [String]
        public var reference: String
        public var seeds: [Int64]
        public var metric: String
        public var reportMetrics: [String]
        /// A wall-clock budget: updates achieved and load matter.
        public var wallClock: Bool
        public var resamples: Int
        public var bootstrapSeed: UInt64
        /// Whether larger values of the metric are better (P(arm better) counts this way).
        public var higherIsBetter: Bool

        public init(arms: [String], reference: String, seeds: [Int64], metric: String, reportMetrics: [String] = [],
                    wallClock: Bool, resamples: Int = 10_000, bootstrapSeed: UInt64 = 0, higherIsBetter: Bool = true) {
            self.higherIsBetter = higherIsBetter
            self.arms = arms
            self.reference = reference
            self.seeds = seeds
            self.metric = metric
            self.reportMetrics = reportMetrics
            self.wallClock = wallClock
            self.resamples = resamples
            self.bootstrapSeed = bootstrapSeed
        }
    }

    public struct ArmResult: Sendable {
        public var name: String
        /// Completed runs with a finite metric, in seed order.
        public var values: [(seed: Int64, value: Double)]
        public var summary: Summary?
        public var reportSummaries: [String: Summary]
        public var updates: Summary?
        public var trainSeconds: Summary?
        /// Mean load over this arm's runs that recorded one.
        public var load: Double?
        /// Against the reference, over the seeds both completed; nil for the reference.
        public var paired: PairedComparison?
        public var pairedSeeds: [Int64]
        /// The sign-flip p of `paired`, Holm-adjusted across the arms compared with the reference.
        public var holmP: Double?
        /// Interquartile mean of `values` (rliable), and its stratified-bootstrap interval
        /// from `PairedComparison.bootstrapMinimumPairs` runs up.
        public var iqm: Double?
        public var iqmInterval: ConfidenceInterval?
        /// P(a run of this arm is better than a run of the reference) (rliable's probability
        /// of improvement over the paired seeds' runs) and its interval from 10 pairs up.
        public var improvement: Double?
        public var improvementInterval: ConfidenceInterval?
        /// Per report metric: the paired comparison over the seeds where both runs reported it,
        /// and its Holm-adjusted sign-flip p (across arms, per metric).
        public var reportPaired: [String: PairedComparison] = [:]
        public var reportHolmP: [String: Double] = [:]
    }

    public let settings: Settings
    public let arms: [ArmResult]
    /// Per Pass@1 metric with per-question outcomes (the metric, then report metrics) and
    /// per arm but the reference: the question-level comparison pooled over paired seeds.
    public let questionLevel: [QuestionComparison]
    public let warnings: [String]
    /// Runs still to do or running (a comparison read while it runs).
    public let pending: Int

    /// Load means of two arms differing by more than this fraction (and by more than
    /// 0.5, the noise of an idle machine's load average) make a wall-clock comparison
    /// unfair.
    public static let loadTolerance = 0.25

    public init(runs: [ArmRun], settings: Settings) throws {
        guard settings.arms.contains(settings.reference) else {
            throw AnalysisError("reference arm \(settings.reference) is not one of the arms (\(settings.arms.joined(separator: ", ")))")
        }
        self.settings = settings
        var warnings: [String] = []
        let byArm = Dictionary(grouping: runs, by: \.arm)
        let completed: [String: [Int64: ArmRun]] = byArm.mapValues { runs in
            Dictionary(runs.compactMap { run in
                run.state == .completed && run.value?.isFinite == true ? (run.seed, run) : nil
            }, uniquingKeysWith: { first, _ in first })
        }
        pending = runs.filter { !$0.state.isTerminal }.count
            + max(0, settings.arms.count * settings.seeds.count - runs.count)
        let reference = completed[settings.reference] ?? [:]
        var results: [ArmResult] = []
        for name in settings.arms {
            let done = completed[name] ?? [:]
            let seeds = settings.seeds.filter { done[$0] != nil }
            let values = seeds.map { (seed: $0, value: done[$0]!.value!) }
            let finished = byArm[name, default: []].filter { $0.state.isTerminal }
            for run in finished where run.state != .completed {
                warnings.append("\(name), seed \(run.seed): \(run.state.rawValue) — left out")
            }
            var reportSummaries: [String: Summary] = [:]
            for metric in settings.reportMetrics {
                let xs = seeds.compactMap { done[$0]!.finalMetrics[metric] }.filter(\.isFinite)
                if !xs.isEmpty { reportSummaries[metric] = try Summary(values: xs) }
            }
            let loads = seeds.compactMap { done[$0]!.loadMean }
            var paired: PairedComparison?
            var pairedSeeds: [Int64] = []
            if name != settings.reference {
                pairedSeeds = seeds.filter { reference[$0] != nil }
                if !pairedSeeds.isEmpty {
                    paired = try PairedComparison(arm: pairedSeeds.map { done[$0]!.value! },
                                                  reference: pairedSeeds.map { reference[$0]!.value! },
                                                  resamples: settings.resamples, seed: settings.bootstrapSeed)
                }
                if pairedSeeds.count < settings.seeds.count && pending == 0 {
                    warnings.append("\(name) vs \(settings.reference): \(pairedSeeds.count) of \(settings.seeds.count) seeds paired")
                }
            }
            var reportPaired: [String: PairedComparison] = [:]
            var improvement: Double?, improvementInterval: ConfidenceInterval?
            if name != settings.reference {
                for metric in settings.reportMetrics {
                    let both = pairedSeeds.filter {
                        done[$0]!.finalMetrics[metric]?.isFinite == true && reference[$0]!.finalMetrics[metric]?.isFinite == true
                    }
                    guard !both.isEmpty else { continue }
                    reportPaired[metric] = try PairedComparison(
                        arm: both.map { done[$0]!.finalMetrics[metric]! }, reference: both.map { reference[$0]!.finalMetrics[metric]! },
                        resamples: settings.resamples, seed: settings.bootstrapSeed)
                }
                if !pairedSeeds.isEmpty {
                    let sign = settings.higherIsBetter ? 1.0 : -1.0
                    let x = pairedSeeds.map { [sign * done[$0]!.value!] }, y = pairedSeeds.map { [sign * reference[$0]!.value!] }
                    improvement = try Aggregates.probabilityOfImprovement(x, over: y)
                    if pairedSeeds.count >= PairedComparison.bootstrapMinimumPairs {
                        improvementInterval = try Aggregates.stratifiedBootstrap(
                            [x, y], resamples: settings.resamples, seed: settings.bootstrapSeed) {
                            try Aggregates.probabilityOfImprovement($0[0], over: $0[1])
                        }
                    }
                }
            }
            let scores = values.map { [$0.value] }
            var iqmInterval: ConfidenceInterval?
            if scores.count >= PairedComparison.bootstrapMinimumPairs {
                iqmInterval = try Aggregates.stratifiedBootstrap([scores], resamples: settings.resamples,
                                                                 seed: settings.bootstrapSeed) {
                    try Aggregates.interquartileMean($0[0])
                }
            }
            results.append(ArmResult(
                name: name, values: values, summary: values.isEmpty ? nil : try Summary(values: values.map(\.value)),
                reportSummaries: reportSummaries,
                updates: seeds.isEmpty ? nil : try Summary(values: seeds.map { Double(done[$0]!.updates) }),
                trainSeconds: seeds.isEmpty ? nil : try Summary(values: seeds.map { done[$0]!.trainSeconds }),
                load: loads.isEmpty ? nil : loads.reduce(0, +) / Double(loads.count),
                paired: paired, pairedSeeds: pairedSeeds,
                iqm: scores.isEmpty ? nil : try Aggregates.interquartileMean(scores), iqmInterval: iqmInterval,
                improvement: improvement, improvementInterval: improvementInterval, reportPaired: reportPaired))
        }
        // Holm across the arms compared with the reference: the primary metric, then each report metric.
        let holm = Holm.adjust(results.map { $0.paired?.signFlip.pValue })
        for i in results.indices { results[i].holmP = holm[i] }
        for metric in settings.reportMetrics {
            let adjusted = Holm.adjust(results.map { $0.reportPaired[metric]?.signFlip.pValue })
            for i in results.indices { if let p = adjusted[i] { results[i].reportHolmP[metric] = p } }
        }
        if settings.wallClock { warnings += Self.loadWarnings(results) }
        if pending > 0 { warnings.insert("\(pending) run(s) not finished yet: partial results", at: 0) }
        arms = results
        questionLevel = try Self.questionLevel(runs, settings: settings)
        self.warnings = warnings
    }

    static func questionLevel(_ runs: [ArmRun], settings: Settings) throws -> [QuestionComparison] {
        func completed(_ arm: String) -> [Int64: ArmRun] {
            Dictionary(runs.filter { $0.arm == arm && $0.state == .completed }.map { ($0.seed, $0) }, uniquingKeysWith: { a, _ in a })
        }
        let reference = completed(settings.reference)
        var out: [QuestionComparison] = []
        for metric in [settings.metric] + settings.reportMetrics {
            for arm in settings.arms where arm != settings.reference {
                let mine = completed(arm)
                var seeds = 0, pairs = 0, armCorrect = 0, refCorrect = 0, armOnly = 0, refOnly = 0
                for seed in settings.seeds {
                    guard let a = mine[seed]?.questions[metric], let r = reference[seed]?.questions[metric] else { continue }
                    let ids = a.keys.filter { r[$0] != nil }
                    guard !ids.isEmpty else { continue }
                    seeds += 1
                    for id in ids {
                        let x = a[id]!, y = r[id]!
                        pairs += 1
                        if x { armCorrect += 1 }
                        if y { refCorrect += 1 }
                        if x && !y { armOnly += 1 }
                        if y && !x { refOnly += 1 }
                    }
                }
                guard pairs > 0 else { continue }
                out.append(QuestionComparison(
                    metric: metric, arm: arm, seeds: seeds, pairs: pairs, armCorrect: armCorrect, referenceCorrect: refCorrect,
                    armInterval: try WilsonInterval.interval(successes: armCorrect, trials: pairs),
                    referenceInterval: try WilsonInterval.interval(successes: refCorrect, trials: pairs),
                    test: try ExactMcNemar(armOnly: armOnly, referenceOnly: refOnly)))
            }
        }
        return out
    }

    /// Under a wall-clock budget, arms that saw different machine loads did not get
    /// the same computer: say so, with the numbers.
    static func loadWarnings(_ arms: [ArmResult]) -> [String] {
        let loads = arms.compactMap { arm in arm.load.map { (arm.name, $0) } }
        guard loads.count == arms.count else {
            let missing = arms.filter { $0.load == nil && !$0.values.isEmpty }.map(\.name)
            return missing.isEmpty ? [] : ["machine load was not recorded for \(missing.joined(separator: ", ")); "
                                           + "cannot check that the wall-clock comparison was fair"]
        }
        guard let low = loads.min(by: { $0.1 < $1.1 }), let high = loads.max(by: { $0.1 < $1.1 }) else { return [] }
        guard high.1 - low.1 > max(0.5, loadTolerance * low.1) else { return [] }
        let list = loads.map { "\($0.0) \(String(format: "%.2f", $0.1))" }.joined(separator: ", ")
        return ["machine load differed between arms (mean 1-min load average: \(list)); wall-clock results "
                + "are not comparable — rerun on an otherwise idle machine"]
    }
}
