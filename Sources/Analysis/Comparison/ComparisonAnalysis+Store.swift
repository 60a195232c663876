import Foundation
import SweepStore

extension ComparisonAnalysis.Settings {
    /// The settings of a recorded comparison, from the store alone: its arms, reference,
    /// seeds, budget and bootstrap settings (`comparison`, `comparison_arm`) and the
    /// sweep's metric and goal.
    public init(_ comparison: StoredComparison, of sweep: Sweep) {
        var wallClock = false
        if case .seconds = comparison.budget { wallClock = true }
        self.init(arms: comparison.arms.map(\.name), reference: comparison.reference, seeds: comparison.seeds,
                  metric: sweep.metric, reportMetrics: comparison.reportMetrics, wallClock: wallClock,
                  resamples: comparison.bootstrapResamples, bootstrapSeed: comparison.bootstrapSeed,
                  higherIsBetter: sweep.goal == .maximize)
    }
}

extension ComparisonAnalysis {
    /// The recorded runs of a comparison and their analysis, read from the store.
    public static func analyse(_ sweep: Sweep, _ comparison: StoredComparison, in store: SweepStore,
                               runsDirectory: String? = nil) throws -> (runs: [ArmRun], analysis: ComparisonAnalysis) {
        let runs = try ArmRun.load(from: store, sweep: sweep, runsDirectory: runsDirectory)
        return (runs, try ComparisonAnalysis(runs: runs, settings: Settings(comparison, of: sweep)))
    }
}

extension StoredComparison {
    /// The budget as the tables' headers say it: "400 updates", "30 s of training".
    public var budgetText: String {
        switch budget {
        case .updates(let updates): return "\(updates) updates"
        case .seconds(let seconds): return "\(String(format: "%g", seconds)) s of training"
        }
    }
}
