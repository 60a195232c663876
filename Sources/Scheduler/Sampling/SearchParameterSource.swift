import Search
import TrialProtocol

/// The spec's search (space + algorithm) on top of the `Search` samplers. Values
/// cross as JSON: the sweep's store and trial configs hold JSON numbers, so a
/// parameter's kind (int or double) is recovered from its domain here.
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
        return .params(point.mapValues(Self.json))
    }

    static func parameter(_ spec: ParameterSpec) throws -> Parameter {
        switch spec.domain {
        case .uniform(let low, let high): return try .uniform(spec.name, low: low, high: high)
        case .logUniform(let low, let high): return try .logUniform(spec.name, low: low, high: high)
        case .integer(let low, let high): return try .integer(spec.name, low: low, high: high)
        case .choice(let values): return try .categorical(spec.name, values.map(value))
        case .fixed(let fixed): return try .fixed(spec.name, value(fixed))
        }
    }

    /// JSON → a sampler value: integral numbers are ints (a choice of [2, 4, 8]).
    static func value(_ json: JSONValue) -> Search.ParamValue {
        switch json {
        case .number(let x) where x == x.rounded() && abs(x) < 9e15: return .int(Int(x))
        case .number(let x): return .double(x)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .null, .array, .object: return .string("\(json)")
        }
    }

    static func json(_ value: Search.ParamValue) -> JSONValue {
        switch value {
        case .double(let x): return .number(x)
        case .int(let x): return .number(Double(x))
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        }
    }

    /// A stored assignment with each value in its parameter's kind, so that the grid
    /// recognises its own points and TPE its own values.
    func assignment(_ params: [String: JSONValue]) -> ParamAssignment {
        var result: ParamAssignment = [:]
        for (name, json) in params {
            guard let parameter = space.parameter(named: name) else { continue }
            switch parameter.domain {
            case .uniform, .logUniform:
                if case .number(let x) = json { result[name] = .double(x) }
            case .integer:
                if case .number(let x) = json { result[name] = .int(Int(x)) }
            case .categorical(let choices):
                let candidate = Self.value(json)
                result[name] = choices.first { $0 == candidate || ($0.numericValue != nil && $0.numericValue == candidate.numericValue) }
                    ?? candidate
            case .fixed(let fixed):
                result[name] = fixed
            }
        }
        return result
    }
}
