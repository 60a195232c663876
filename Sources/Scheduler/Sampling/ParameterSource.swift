import Vocabulary

/// A trial the sampler may learn from: its parameters and, once it has ended, its
/// objective normalised so that lower is better (nil while it runs or when it ended
/// without a value).
public struct PastTrial: Sendable, Equatable {
    public var number: Int
    public var params: ParamAssignment
    public var isRunning: Bool
    public var normalisedObjective: Double?

    public init(number: Int, params: ParamAssignment, isRunning: Bool, normalisedObjective: Double?) {
        self.number = number
        self.params = params
        self.isRunning = isRunning
        self.normalisedObjective = normalisedObjective
    }
}

/// What the sampler says when asked for the next trial.
public enum Proposal: Sendable, Equatable {
    case params(ParamAssignment)
    /// No point is left (a finished grid): the sweep ends when running trials do.
    case exhausted
    /// Nothing to propose until something changes (e.g. every grid point is taken by
    /// a running trial). With nothing running either, the watchdog fails the sweep.
    case notNow(String)
}

/// Where the dispatcher gets parameters from: the `Search` samplers through
/// `SearchParameterSource`, or a scripted source in tests. Contract as `Search.Sampler`:
/// a pure function of its settings, the trial number and the history.
public protocol ParameterSource {
    func propose(trialNumber: Int, history: [PastTrial]) throws -> Proposal
    /// The comparison arm trial n belongs to, stored with the trial; nil for searches.
    func arm(ofTrial number: Int) -> String?
    /// Whether `propose` reads `history`; when it does not, the dispatcher does not
    /// build it (it grows with the sweep).
    var usesHistory: Bool { get }
}

extension ParameterSource {
    public func arm(ofTrial number: Int) -> String? { nil }
    public var usesHistory: Bool { true }
}
