import Vocabulary

/// Hyperband (Li et al. 2018) as brackets of asynchronous successive halving: trials
/// are stopped, never paused, so no bracket waits for anything.
///
/// With s_max = ⌊log_η(R/r_min)⌋ there are B = s_max + 1 brackets; bracket b runs
/// `ASHA(minResource: r_min·η^b, η, R)` among the trials of bracket b only (b = 0 is
/// the most aggressive). A trial's bracket is a stable function of (sweep, trial
/// number): h = FNV-1a-64 of the UTF-8 bytes of "<sweep>_<trial number>", and with
/// budgets w_b = ⌈B·η^(B−1−b) / (B − b)⌉ (Hyperband's trial counts per bracket, as in
/// Optuna's HyperbandPruner), the bracket is the b where h mod Σw falls into the
/// cumulative w's. Never an unseeded draw, never Swift's per-process `hashValue`.
public struct Hyperband: StoppingRule {
    public let sweep: String
    public let minResource: Int
    public let reductionFactor: Int
    public let maxResource: Int
    public let brackets: [ASHA]
    /// w_b, how many of every Σw trials go to bracket b.
    public let bracketBudgets: [Int]

    public init(sweep: String, minResource: Int, reductionFactor: Int, maxResource: Int, goal: Goal = .minimize) throws {
        let widest = try ASHA(minResource: minResource, reductionFactor: reductionFactor, maxResource: maxResource)
        let count = widest.rungs.count  // B = s_max + 1
        self.sweep = sweep
        self.minResource = minResource
        self.reductionFactor = reductionFactor
        self.maxResource = maxResource
        brackets = try widest.rungs.map { rung in
            try ASHA(minResource: rung.resource, reductionFactor: reductionFactor, maxResource: maxResource, goal: goal)
        }
        bracketBudgets = (0..<count).map { b in
            let s = count - 1 - b
            var power = 1
            for _ in 0..<s { power *= reductionFactor }  // ≤ R/r_min: cannot overflow
            let numerator = count * power
            return (numerator + s) / (s + 1)  // ⌈numerator / (s + 1)⌉
        }
    }

    /// The bracket of trial `trialNumber` in this sweep.
    public func bracket(of trialNumber: Int) -> Int {
        let total = UInt64(bracketBudgets.reduce(0, +))
        var position = Int(FNV1a64.hash("\(sweep)_\(trialNumber)") % total)
        for (b, budget) in bracketBudgets.enumerated() {
            position -= budget
            if position < 0 { return b }
        }
        return bracketBudgets.count - 1
    }

    public func makeTracker() -> any IncrementalStopping { HyperbandTracker(hyperband: self) }

    public func decide(_ input: StoppingInput) -> Decision {
        let b = bracket(of: input.trial.trialNumber)
        let peers = input.peers.filter { bracket(of: $0.trialNumber) == b }
        // Re-filtering a valid input cannot fail.
        let bracketInput = try! StoppingInput(trial: input.trial, peers: peers)
        return relabel(brackets[b].decide(bracketInput, rule: "hyperband", bracket: b), bracket: b)
    }

    /// A bracket's decision with the bracket named in its reason.
    func relabel(_ decision: Decision, bracket b: Int) -> Decision {
        let detail = decision.detail
        let reason = "bracket \(b) (min resource \(brackets[b].minResource)): \(detail.reason)"
        let relabelled = DecisionDetail(
            rule: detail.rule, reason: reason, trialNumber: detail.trialNumber, step: detail.step,
            value: detail.value, threshold: detail.threshold, peerCount: detail.peerCount, rung: detail.rung,
            rungsReached: detail.rungsReached, bracket: b)
        return decision.isStop ? .stop(relabelled) : .continue(relabelled)
    }
}
