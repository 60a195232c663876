import Foundation

extension ComparisonAnalysis {
    /// Metrics worth a learning curve: reported at two or more steps by some run.
    /// The comparison metric first, then the others in name order.
    public static func curveMetrics(_ runs: [ArmRun], metric: String) -> [String] {
        var steps: [String: Set<Int64>] = [:]
        for run in runs {
            for point in run.curve {
                for (name, value) in point.metrics where value.isFinite { steps[name, default: []].insert(point.step) }
            }
        }
        let names = steps.filter { $0.value.count >= 2 && !$0.key.hasSuffix("_seconds") }.keys
        return names.sorted { a, b in a == metric ? true : b == metric ? false : a < b }
    }

    /// The mean over the seeds of each arm with its 95% t interval (mean ± t_{0.975, n−1}·sd/√n),
    /// at every step some run of the arm reported `metric` (runs resumed or on a wall-clock
    /// budget may report at different steps: each point averages the runs that have it; a
    /// step with one run has no band).
    public func learningCurves(_ runs: [ArmRun], metric: String) -> LineBandChart {
        let series = settings.arms.map { arm -> LineBandChart.Series in
            var byStep: [Int64: [Double]] = [:]
            for run in runs where run.arm == arm {
                for point in run.curve {
                    if let v = point.metrics[metric], v.isFinite { byStep[point.step, default: []].append(v) }
                }
            }
            // Values are finite and each step has at least one, so the summary exists.
            let points = byStep.keys.sorted().compactMap { step -> LineBandChart.Point? in
                guard let s = try? Summary(values: byStep[step]!) else { return nil }
                guard let sd = s.standardDeviation, let q = try? StudentT(degreesOfFreedom: Double(s.count - 1)).quantile(0.975) else {
                    return LineBandChart.Point(x: Double(step), mean: s.mean)
                }
                let half = q * sd / Double(s.count).squareRoot()
                return LineBandChart.Point(x: Double(step), mean: s.mean, lower: s.mean - half, upper: s.mean + half)
            }
            return LineBandChart.Series(name: arm, points: points)
        }
        return LineBandChart(title: "\(metric) during training (mean, 95% t interval over seeds)", xLabel: "updates",
                             yLabel: metric, series: series)
    }

    /// The headline figure: Δ = arm − reference of the comparison metric for every arm,
    /// with its 95% paired-t interval and the exact sign-flip p (Holm-adjusted) above it.
    public func forestPlot() -> ForestPlot {
        let rows = arms.compactMap { arm -> ForestPlot.Row? in
            guard let paired = arm.paired else { return nil }
            var detail = "n=\(paired.count), p=\(Self.pValue(paired.signFlip.pValue))"
            if let holm = arm.holmP, arms.filter({ $0.paired != nil }).count > 1 { detail += " (Holm \(Self.pValue(holm)))" }
            return ForestPlot.Row(label: arm.name, estimate: paired.meanDifference, interval: paired.tTest?.confidenceInterval,
                                  detail: detail)
        }
        return ForestPlot(title: "Δ \(settings.metric) vs \(settings.reference) (paired by seed)", yLabel: "Δ \(settings.metric)",
                          rows: rows, intervalLabel: "95% paired-t interval")
    }

    /// The final metric of every run: one column per arm, one dot per seed, a thin
    /// line joining the runs of one seed (the pairs the differences are taken over).
    public func finalPerSeed() -> PairedDotPlot {
        let values = Dictionary(uniqueKeysWithValues: arms.map { arm in
            (arm.name, Dictionary(arm.values.map { ($0.seed, $0.value) }, uniquingKeysWith: { a, _ in a }))
        })
        let rows = settings.seeds.map { seed in
            PairedDotPlot.Row(label: "seed \(seed)", values: settings.arms.map { values[$0]?[seed] })
        }
        return PairedDotPlot(title: "final \(settings.metric) per seed", yLabel: settings.metric,
                             categories: settings.arms, rows: rows)
    }
}
