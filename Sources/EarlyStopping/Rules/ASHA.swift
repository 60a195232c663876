import Vocabulary

/// Asynchronous successive halving (Li et al. 2020), as a stopping rule.
///
/// Rungs: k = 0, 1, … with resource r_k = r_min·η^k ≤ R. A report at step s with the
/// trial's previous report at step p (p = −1 for its first report) reaches every rung
/// with p < r_k ≤ s; its value is recorded at each of them (`rungsReached`). The
/// decision is taken at the highest rung reached (as Ray's ASHA does), against the values
/// recorded there: the trial's own and, for each peer that reached r_k, the value of
/// its first report at a step ≥ r_k.
///
/// With n values recorded at the rung (the trial's included), the trial continues iff
/// its value is within the best max(1, ⌊n/η⌋): its value ≤ the max(1, ⌊n/η⌋)-th
/// smallest (ties continue). So below η values only the best so far goes on — Optuna's
/// choice for never-paused trials, where the ASHA paper would wait — and from n ≥ η
/// the top ⌊n/η⌋ do. Reports that reach no new rung, and the top rung when it equals
/// R (the budget ends the trial there), always continue. Values that are NaN or ±∞
/// rank as +∞.
public struct ASHA: StoppingRule {
    public let minResource: Int
    public let reductionFactor: Int
    public let maxResource: Int
    /// r_min·η^k for every k with r_min·η^k ≤ R.
    public let rungs: [Rung]
    /// The metric's goal: values arrive normalised (lower is better); reasons show
    /// them raw, as the engine reported them.
    public let goal: Goal

    public init(minResource: Int, reductionFactor: Int, maxResource: Int, goal: Goal = .minimize) throws {
        guard minResource >= 1 else {
            throw StoppingRuleError(subject: "asha minResource", rule: "\(minResource) must be >= 1")
        }
        guard reductionFactor >= 2 else {
            throw StoppingRuleError(subject: "asha reductionFactor", rule: "\(reductionFactor) must be >= 2")
        }
        guard maxResource >= minResource else {
            throw StoppingRuleError(subject: "asha maxResource",
                                    rule: "\(maxResource) must be >= minResource \(minResource)")
        }
        self.minResource = minResource
        self.reductionFactor = reductionFactor
        self.maxResource = maxResource
        self.goal = goal
        var rungs: [Rung] = []
        var resource = minResource
        while resource <= maxResource {
            rungs.append(Rung(index: rungs.count, resource: resource))
            let (next, overflow) = resource.multipliedReportingOverflow(by: reductionFactor)
            if overflow { break }
            resource = next
        }
        self.rungs = rungs
    }

    /// The rungs a report at `step` reaches for the first time, when the trial's
    /// previous report was at `previousStep` (nil for its first report).
    public func rungsReached(step: Int, previousStep: Int?) -> [Rung] {
        rungs.filter { $0.resource > (previousStep ?? -1) && $0.resource <= step }
    }

    public func makeTracker() -> any IncrementalStopping { ASHATracker(asha: self) }

    public func decide(_ input: StoppingInput) -> Decision {
        decide(input, rule: "asha", bracket: nil)
    }

    func decide(_ input: StoppingInput, rule: String, bracket: Int?) -> Decision {
        decide(trialNumber: input.trial.trialNumber, report: input.report, previousStep: input.previousStep,
               rule: rule, bracket: bracket) { rung in
            var values = [input.report.rankingValue]
            for peer in input.peers {
                if let value = peer.firstReport(atOrAfter: rung.resource) { values.append(value.rankingValue) }
            }
            return SortedValues(values)
        }
    }

    /// The decision on `report`, given the values recorded at a rung (the trial's own
    /// included): a sorted snapshot of the peers, or an incremental tracker's tree.
    func decide<Values: RankedValues>(trialNumber: Int, report: StepValue, previousStep: Int?, rule: String,
                                      bracket: Int?, valuesAt: (Rung) -> Values) -> Decision {
        let reached = rungsReached(step: report.step, previousStep: previousStep)
        func detail(_ reason: String, rung: Rung? = nil, threshold: Double? = nil, peerCount: Int = 0) -> DecisionDetail {
            DecisionDetail(rule: rule, reason: reason, trialNumber: trialNumber, step: report.step,
                           value: report.value, threshold: threshold, peerCount: peerCount, rung: rung,
                           rungsReached: reached, bracket: bracket)
        }
        guard let rung = reached.last else {
            let next = rungs.first { $0.resource > report.step }
            let where_ = next.map { "the next rung is \($0.index) at step \($0.resource)" } ?? "no rung is left"
            return .continue(detail("step \(report.step) reaches no new rung; \(where_)"))
        }
        if rung.resource == maxResource {
            return .continue(detail(
                "reached the top rung \(rung.index) at the max resource \(maxResource); the budget ends the trial",
                rung: rung))
        }
        let values = valuesAt(rung)
        let keep = max(1, values.count / reductionFactor)
        let cutoff = values.smallest(keep - 1)
        let standing = "value \(goal.raw(fromNormalised: report.value)) at rung \(rung.index) (step \(rung.resource))"
        let field = "the best \(keep) of \(values.count) value(s) recorded there (cutoff \(goal.raw(fromNormalised: cutoff)), η = \(reductionFactor))"
        if report.rankingValue <= cutoff {
            return .continue(detail("\(standing) is within \(field)", rung: rung, threshold: cutoff,
                                    peerCount: values.count))
        }
        return .stop(detail("\(standing) is outside \(field)", rung: rung, threshold: cutoff,
                            peerCount: values.count))
    }
}
