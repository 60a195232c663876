import Vocabulary

/// Independent uniform draws from each parameter's prior (see
/// `Parameter.value(atUnit:)`), from a SplitMix64 stream keyed by (seed, trial number):
/// trial n always gets the same point whatever ran before it.
public struct RandomSampler: Sampler {
    /// Each draw depends only on the seed and the trial number.
    public var readsHistory: Bool { false }

    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    public func sample(space: SearchSpace, trialNumber: Int, history: [Observation]) -> ParamAssignment? {
        var generator = SplitMix64(seed: seed, stream: UInt64(bitPattern: Int64(trialNumber)))
        let point = space.searchedParameters.map { _ in generator.nextUnit() }
        return space.assignment(atUnitPoint: point)
    }
}
