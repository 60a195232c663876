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

    /// Mean ± sd over the seeds of each arm, at every step some run of the arm reported
    /// `metric` (runs resumed or on a wall-clock budget may report at different steps:
    /// each point averages the runs that have it).
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
                let sd = s.standardDeviation
                return LineBandChart.Point(x: Double(step), mean: s.mean,
                                           lower: sd.map { s.mean - $0 }, upper: sd.map { s.mean + $0 })
            }
            return LineBandChart.Series(name: arm, points: points)
        }
        return LineBandChart(title: "\(metric) during training (mean ± sd over seeds)", xLabel: "updates",
                             yLabel: metric, series: series)
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
