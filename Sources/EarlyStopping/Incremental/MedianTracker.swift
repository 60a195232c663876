/// The median rule with, for each step it has decided at, an order-statistic tree of
/// every trial's best value up to that step (trials that have reached it). A report
/// moving a trial's last step from p to s enters it at the tracked steps in (p, s];
/// a tracked step is built from all curves once, the first time a report lands on it.
struct MedianTracker: IncrementalStopping {
    let rule: MedianStoppingRule
    private var curves = Curves()
    /// Tracked steps, ascending, and their trees.
    private var steps: [Int] = []
    private var trees: [Int: OrderStatisticTree] = [:]

    init(rule: MedianStoppingRule) { self.rule = rule }

    mutating func load(_ curve: TrialCurve) {
        precondition(steps.isEmpty, "MedianTracker.load after a decision")
        curves.set(curve)
    }

    mutating func observe(trialNumber: Int, step: Int, value: Double) -> Decision? {
        let old = curves.points[trialNumber] ?? []
        guard let (oldLast, kept) = curves.append(trial: trialNumber, step: step, value: value) else { return nil }
        let curve = curves.points[trialNumber]!
        // Tracked steps the old curve reached but the replaced one no longer does.
        for t in trackedSteps(in: kept + 1...max(kept + 1, oldLast)) where t <= oldLast {
            if let best = Curves.best(old, upTo: t) { trees[t]!.remove(best, id: trialNumber) }
        }
        for t in trackedSteps(in: kept + 1...step) {
            if let best = Curves.best(curve, upTo: t) { trees[t]!.insert(best, id: trialNumber) }
        }
        if trees[step] == nil { track(step) }
        let score = Curves.best(curve, upTo: step)!
        let tree = trees[step]!
        let peers = ExcludingOne(tree: tree, excludedRank: tree.rank(of: score, id: trialNumber))
        return rule.decide(trialNumber: trialNumber, step: step, score: score, peers: peers)
    }

    private func trackedSteps(in range: ClosedRange<Int>) -> ArraySlice<Int> {
        var low = 0, high = steps.count
        while low < high {
            let mid = (low + high) / 2
            if steps[mid] < range.lowerBound { low = mid + 1 } else { high = mid }
        }
        var end = low
        while end < steps.count, steps[end] <= range.upperBound { end += 1 }
        return steps[low..<end]
    }

    private mutating func track(_ step: Int) {
        var tree = OrderStatisticTree()
        for (trial, curve) in curves.points where (curve.last?.step ?? -1) >= step {
            if let best = Curves.best(curve, upTo: step) { tree.insert(best, id: trial) }
        }
        trees[step] = tree
        steps.insert(step, at: steps.firstIndex { $0 > step } ?? steps.count)
    }
}
