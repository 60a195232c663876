/// One intermediate result of a trial: its objective (normalised once, at ingestion,
/// so that lower is better) after `step` units of resource (e.g. updates).
public struct StepValue: Sendable, Hashable, Codable {
    public let step: Int
    public let value: Double

    public init(step: Int, value: Double) {
        self.step = step
        self.value = value
    }

    /// The value used for ranking: NaN and ±∞ count as +∞, the worst possible, so a
    /// diverged trial can never look good.
    public var rankingValue: Double { value.isFinite ? value : .infinity }
}

/// Every report a trial has made so far, in the order made (steps strictly increasing).
public struct TrialCurve: Sendable, Hashable {
    public let trialNumber: Int
    public let reports: [StepValue]

    /// Throws if the steps are negative or not strictly increasing.
    public init(trialNumber: Int, reports: [StepValue]) throws {
        for (index, report) in reports.enumerated() {
            guard report.step >= 0 else {
                throw StoppingRuleError(subject: "trial \(trialNumber) report \(index)",
                                        rule: "step \(report.step) must be >= 0")
            }
            if index > 0, report.step <= reports[index - 1].step {
                throw StoppingRuleError(
                    subject: "trial \(trialNumber) report \(index)",
                    rule: "step \(report.step) must be > the previous step \(reports[index - 1].step)")
            }
        }
        self.trialNumber = trialNumber
        self.reports = reports
    }

    /// The best (lowest ranking) value among reports at steps ≤ `step`, nil if none.
    public func bestValue(upTo step: Int) -> Double? {
        reports.lazy.filter { $0.step <= step }.map(\.rankingValue).min()
    }

    /// The first report at or past `step`: the report at which the trial reached it.
    public func firstReport(atOrAfter step: Int) -> StepValue? {
        reports.first { $0.step >= step }
    }

    /// Whether the trial has reported at or past `step`.
    public func hasReached(_ step: Int) -> Bool {
        (reports.last?.step ?? -1) >= step
    }
}

/// What a rule decides from: the trial's newest report (the last of `trial.reports`)
/// and a read-only snapshot of its peers' curves, finished or running. Peers with the
/// trial's own number are ignored.
public struct StoppingInput: Sendable {
    public let trial: TrialCurve
    public let peers: [TrialCurve]

    /// Throws if the trial has no report yet.
    public init(trial: TrialCurve, peers: [TrialCurve]) throws {
        guard trial.reports.last != nil else {
            throw StoppingRuleError(subject: "trial \(trial.trialNumber)",
                                    rule: "a stopping decision needs at least one report")
        }
        self.trial = trial
        self.peers = peers.filter { $0.trialNumber != trial.trialNumber }
    }

    /// The report being decided on.
    public var report: StepValue { trial.reports[trial.reports.count - 1] }

    /// The step of the trial's report before this one, or nil for its first report.
    public var previousStep: Int? {
        trial.reports.count >= 2 ? trial.reports[trial.reports.count - 2].step : nil
    }
}
