/// One report together with what the stopping rule made of it, recorded atomically.
public struct ReportOutcome: Sendable, Equatable {
    public var report: NewReport
    public var rungResult: NewRungResult?
    public var decision: NewDecision?

    public init(report: NewReport, rungResult: NewRungResult? = nil, decision: NewDecision? = nil) {
        self.report = report
        self.rungResult = rungResult
        self.decision = decision
    }
}
