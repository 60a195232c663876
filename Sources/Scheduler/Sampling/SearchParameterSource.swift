import Search
import Vocabulary

/// The spec's search (space + algorithm) on top of the `Search` samplers. Proposals
/// are `ParamValue`s as the samplers give them; stored values come back with integral
/// numbers as ints, so a parameter's kind (int or double) is recovered from its domain
/// before the sampler sees its history.
public struct SearchParameterSource: ParameterSource {
    public let space: SearchSpace
    public let sampler: any Sampler

    public init(spec: SweepSpec) throws {
        space = try SearchSpace(spec.space.map(Self.parameter))
        switch spec.algorithm {
        case .random: sampler = RandomSampler(seed: spec.seed)
        case .quasiRandom: sampler = HaltonSampler(seed: spec.seed)
        case .tpe: sampler = try TPESampler(seed: spec.seed)
        case .grid:
            var points: [String: Int] = [:]
            for parameter in spec.space {
                switch parameter.domain {
                case .uniform, .logUniform: points[parameter.name] = spec.gridPoints
                default: break
                }
            }
            sampler = GridSampler(gridPoints: points)
        }
    }

    /// The spec's search, or the spec error that prevents it.
    static func checked(_ spec: SweepSpec) throws -> SearchParameterSource {
        do {
            return try SearchParameterSource(spec: spec)
        } catch {
            throw SchedulerError.invalidSpec("space / search: \(error)")
        }
    }

    public var usesHistory: Bool { sampler.readsHistory }

    public func propose(trialNumber: Int, history: [PastTrial]) throws -> Proposal {
        let observations = history.map { trial in
            Observation(trialNumber: trial.number, params: assignment(trial.params),
                        state: trial.isRunning ? .running
                            : .finished(objective: trial.normalisedObjective ?? .infinity))
        }
        guard let point = try sampler.sample(space: space, trialNumber: trialNumber, history: observations) else {
            return .exhausted
        }
        return .params(point)
    }

    static func parameter(_ spec: ParameterSpec) throws -> Parameter {
        switch spec.domain {
        case .uniform(let low, let high): return try .uniform(spec.name, low: low, high: high)
        case .logUniform(let low, let high): return try .logUniform(spec.name, low: low, high: high)
        case .integer(let low, let high): return try .integer(spec.name, low: low, high: high)
        case .choice(let values): return try .categorical(spec.name, values)
        case .fixed(let fixed): return try .fixed(spec.name, fixed)
        }
    }

    /// A stored assignment with each value in its parameter's kind, so that the grid
    /// recognises its own points and TPE its own values.
    func assignment(_ params: ParamAssignment) -> ParamAssignment {
        var result: ParamAssignment = [:]
        for (name, value) in params {
            guard let parameter = space.parameter(named: name) else { continue }
            switch parameter.domain {
            case .uniform, .logUniform:
                if let x = value.doubleValue { result[name] = .double(x) }
            case .integer:
                if let x = value.doubleValue { result[name] = .int(Int(x)) }
            case .categorical(let choices):
                result[name] = choices.first { $0 == value || ($0.doubleValue != nil && $0.doubleValue == value.doubleValue) }
                    ?? value
            case .fixed(let fixed):
                result[name] = fixed
            }
        }
        return result
    }
}
