import Vocabulary

/// The median stopping rule (Golovin et al. 2017, Google Vizier; Optuna's MedianPruner).
///
/// At a report at step s: the trial's score is its best value so far (min over its
/// reports at steps ≤ s). A peer counts if it has reported at or past s and has a
/// report at a step ≤ s; its score is likewise its best value over steps ≤ s. The
/// trial stops iff its score is strictly worse (greater) than the median of the peers'
/// scores (the mean of the two middle ones for an even count). Best-so-far, not the
/// latest value, so one noisy evaluation does not stop a trial, and both sides are
/// measured the same way even when trials report at different steps.
/// No decision (continue) while s < `warmupSteps` or fewer than `minPeers` peers count.
public struct MedianStoppingRule: StoppingRule {
    public let warmupSteps: Int
    public let minPeers: Int
    /// The metric's goal: values arrive normalised; reasons show them raw.
    public let goal: Goal

    public init(warmupSteps: Int = 0, minPeers: Int = 1, goal: Goal = .minimize) throws {
        guard warmupSteps >= 0 else {
            throw StoppingRuleError(subject: "median rule warmupSteps", rule: "\(warmupSteps) must be >= 0")
        }
        guard minPeers >= 1 else {
            throw StoppingRuleError(subject: "median rule minPeers", rule: "\(minPeers) must be >= 1")
        }
        self.warmupSteps = warmupSteps
        self.minPeers = minPeers
        self.goal = goal
    }

    public func makeTracker() -> any IncrementalStopping { MedianTracker(rule: self) }

    public func decide(_ input: StoppingInput) -> Decision {
        let step = input.report.step
        let score = input.trial.bestValue(upTo: step) ?? input.report.rankingValue
        let peerScores = input.peers.compactMap { peer in
            peer.hasReached(step) ? peer.bestValue(upTo: step) : nil
        }
        return decide(trialNumber: input.trial.trialNumber, step: step, score: score, peers: SortedValues(peerScores))
    }

    /// The decision for a trial whose best value up to `step` is `score`, given the
    /// peers' best values up to `step` (peers that have reached it).
    func decide<Values: RankedValues>(trialNumber: Int, step: Int, score: Double, peers: Values) -> Decision {
        func detail(_ reason: String, threshold: Double? = nil) -> DecisionDetail {
            DecisionDetail(rule: "median", reason: reason, trialNumber: trialNumber, step: step,
                           value: score, threshold: threshold, peerCount: peers.count)
        }
        guard step >= warmupSteps else {
            return .continue(detail("step \(step) is within the warm-up of \(warmupSteps) steps"))
        }
        guard peers.count >= minPeers else {
            return .continue(detail(
                "only \(peers.count) peer(s) have reached step \(step); the rule needs \(minPeers)"))
        }
        let median = peers.median
        if score > median {
            return .stop(detail(
                "best value \(goal.raw(fromNormalised: score)) so far at step \(step) is worse than the median \(goal.raw(fromNormalised: median)) of \(peers.count) peer(s) at that step",
                threshold: median))
        }
        return .continue(detail(
            "best value \(goal.raw(fromNormalised: score)) so far at step \(step) is not worse than the median \(goal.raw(fromNormalised: median)) of \(peers.count) peer(s) at that step",
            threshold: median))
    }
}
