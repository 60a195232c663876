import Vocabulary

/// Aggregates in the style of rliable (Agarwal et al., "Deep RL at the edge of the
/// statistical precipice", NeurIPS 2021), for scores[run][task] (one row per run, i.e.
/// seed; one column per task; a comparison has one task, its metric).
///
/// - Interquartile mean (`rliable.metrics.aggregate_iqm`): the 25%-trimmed mean of all
///   run × task scores, `scipy.stats.trim_mean(x, 0.25)`: sort the N scores, drop
///   ⌊0.25 N⌋ from each end, average the rest. For N < 4 nothing is dropped (the mean).
/// - Probability of improvement P(X > Y) (`rliable.metrics.probability_of_improvement`):
///   per task the Mann–Whitney estimate (1/(n m)) Σᵢ Σₖ ([xᵢ > yₖ] + ½[xᵢ = yₖ]) over
///   the runs of X and of Y, averaged over tasks. It compares runs, not pairs.
/// - Stratified bootstrap interval (rliable's `StratifiedBootstrap`): each resample
///   draws, per task, as many runs as there are, with replacement, independently for X
///   and Y; the percentile interval of B resampled statistics. Our procedure, replayed bit
///   for bit by `scripts/reference/stats_reference.py`: one SplitMix64 stream from `seed`;
///   per resample, for X then Y, per task in order, n indices by `index(below: n)`; the
///   interval by linear-interpolation quantiles (numpy's default). rliable itself (numpy's
///   RNG through `arch`) gives the same interval within Monte Carlo error.
public enum Aggregates {
    public static func interquartileMean(_ scores: [[Double]]) throws -> Double {
        let flat = try validated(scores, "scores").flatMap { $0 }.sorted()
        let cut = flat.count / 4  // ⌊0.25 N⌋
        return Statistics.mean(Array(flat[cut..<(flat.count - cut)]))
    }

    public static func probabilityOfImprovement(_ x: [[Double]], over y: [[Double]]) throws -> Double {
        let xs = try validated(x, "x"), ys = try validated(y, "y")
        guard xs[0].count == ys[0].count else {
            throw AnalysisError("x has \(xs[0].count) tasks and y \(ys[0].count); they must match")
        }
        let tasks = xs[0].count
        var total = 0.0
        for j in 0..<tasks {
            var wins = 0.0
            for row in xs { for other in ys { wins += row[j] > other[j] ? 1 : row[j] == other[j] ? 0.5 : 0 } }
            total += wins / Double(xs.count * ys.count)
        }
        return total / Double(tasks)
    }

    /// Percentile interval of `statistic` over B stratified resamples of the score sets
    /// (one set: IQM; two: probability of improvement).
    public static func stratifiedBootstrap(_ sets: [[[Double]]], level: Double = 0.95, resamples: Int = 10_000,
                                           seed: UInt64 = 0,
                                           statistic: ([[[Double]]]) throws -> Double) throws -> ConfidenceInterval {
        guard level > 0, level < 1 else { throw AnalysisError("level is \(level); it must be in (0, 1)") }
        guard resamples >= 1 else { throw AnalysisError("resamples is \(resamples); it must be >= 1") }
        for set in sets { _ = try validated(set, "scores") }
        var generator = SplitMix64(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let resampled = sets.map { set -> [[Double]] in
                let n = set.count, tasks = set[0].count
                var out = [[Double]](repeating: [Double](repeating: 0, count: tasks), count: n)
                for j in 0..<tasks {
                    for i in 0..<n { out[i][j] = set[generator.index(below: n)][j] }
                }
                return out
            }
            values.append(try statistic(resampled))
        }
        values.sort()
        let alpha = (1 - level) / 2
        return ConfidenceInterval(lower: PairedBootstrap.quantile(sorted: values, alpha),
                                  upper: PairedBootstrap.quantile(sorted: values, 1 - alpha), level: level)
    }

    private static func validated(_ scores: [[Double]], _ field: String) throws -> [[Double]] {
        guard let first = scores.first, !first.isEmpty else { throw AnalysisError("\(field) is empty; need at least one run and task") }
        for (i, row) in scores.enumerated() {
            guard row.count == first.count else { throw AnalysisError("\(field)[\(i)] has \(row.count) tasks, row 0 has \(first.count)") }
            try row.requireFinite("\(field)[\(i)]")
        }
        return scores
    }
}
