/// ASHA with the values recorded at each rung kept in an order-statistic tree: a
/// trial's value at rung k (its first report at a step ≥ r_k) enters rung k's tree
/// when it reaches the rung, and leaves it if a resumed attempt replaces that report.
struct ASHATracker: IncrementalStopping {
    let asha: ASHA
    let rule: String
    let bracket: Int?
    private var curves = Curves()
    private var rungTrees: [OrderStatisticTree]
    /// Per trial, its entry at each rung (nil: not reached).
    private var entries: [Int: [Double?]] = [:]

    init(asha: ASHA, rule: String = "asha", bracket: Int? = nil) {
        self.asha = asha
        self.rule = rule
        self.bracket = bracket
        rungTrees = Array(repeating: OrderStatisticTree(), count: asha.rungs.count)
    }

    mutating func load(_ curve: TrialCurve) {
        curves.set(curve)
        for rung in asha.rungs {
            if let value = curve.firstReport(atOrAfter: rung.resource) { enter(curve.trialNumber, rung, value.rankingValue) }
        }
    }

    mutating func observe(trialNumber: Int, step: Int, value: Double) -> Decision? {
        guard let (_, kept) = curves.append(trial: trialNumber, step: step, value: value) else { return nil }
        // Rungs above what the replaced curve kept are no longer reached by it.
        for rung in asha.rungs where rung.resource > kept { leave(trialNumber, rung) }
        let report = StepValue(step: step, value: value)
        for rung in asha.rungsReached(step: step, previousStep: kept < 0 ? nil : kept) {
            enter(trialNumber, rung, report.rankingValue)
        }
        return asha.decide(trialNumber: trialNumber, report: report, previousStep: kept < 0 ? nil : kept,
                           rule: rule, bracket: bracket) { rungTrees[$0.index] }
    }

    private mutating func enter(_ trial: Int, _ rung: Rung, _ value: Double) {
        leave(trial, rung)
        rungTrees[rung.index].insert(value, id: trial)
        entries[trial, default: Array(repeating: nil, count: asha.rungs.count)][rung.index] = value
    }

    private mutating func leave(_ trial: Int, _ rung: Rung) {
        guard let value = entries[trial]?[rung.index] else { return }
        rungTrees[rung.index].remove(value, id: trial)
        entries[trial]![rung.index] = nil
    }
}

/// Hyperband: one ASHA tracker per bracket, among that bracket's trials only.
struct HyperbandTracker: IncrementalStopping {
    let hyperband: Hyperband
    private var brackets: [ASHATracker]

    init(hyperband: Hyperband) {
        self.hyperband = hyperband
        brackets = hyperband.brackets.enumerated().map { ASHATracker(asha: $1, rule: "hyperband", bracket: $0) }
    }

    mutating func load(_ curve: TrialCurve) {
        brackets[hyperband.bracket(of: curve.trialNumber)].load(curve)
    }

    mutating func observe(trialNumber: Int, step: Int, value: Double) -> Decision? {
        let b = hyperband.bracket(of: trialNumber)
        guard let decision = brackets[b].observe(trialNumber: trialNumber, step: step, value: value) else { return nil }
        return hyperband.relabel(decision, bracket: b)
    }
}
