import SweepStore
import Vocabulary

/// A search seeded with another sweep's finished trials (`vsweep run --warm-start-from`):
/// the sampler sees them as history before this sweep's own trials, so TPE starts from
/// what the earlier sweep learned and a grid skips the points it already evaluated.
///
/// Only trials over the same space count: the other sweep must optimise the same metric
/// with the same goal, and a trial is taken only when every searched parameter of this
/// space has a value inside its domain. Prior trials get negative numbers so they can
/// never be mistaken for this sweep's own.
public struct WarmStartedParameterSource: ParameterSource {
    public let base: SearchParameterSource
    public let prior: [PastTrial]

    public init(base: SearchParameterSource, prior: [PastTrial]) {
        self.base = base
        self.prior = prior
    }

    public var usesHistory: Bool { true }

    public func propose(trialNumber: Int, history: [PastTrial]) throws -> Proposal {
        try base.propose(trialNumber: trialNumber, history: prior + history)
    }

    /// The completed trials of sweep `name` that fit `spec`'s space, as prior history.
    public static func prior(from name: String, store: SweepStore, for spec: SweepSpec) throws -> [PastTrial] {
        switch spec.algorithm {
        case .tpe, .grid: break
        case .random, .quasiRandom:
            throw SchedulerError.invalidSpec("--warm-start-from: search.algorithm \(spec.algorithm.rawValue) does not "
                                             + "learn from earlier trials; warm starts apply to tpe (and grid, which "
                                             + "skips evaluated points)")
        }
        let other = try SweepQueries.sweep(store, named: name)
        guard other.metric == spec.metric, other.goal == spec.goal else {
            throw SchedulerError.invalidSpec("--warm-start-from \(name): it optimised \(other.metric) "
                                             + "(\(other.goal.rawValue)), this sweep \(spec.metric) (\(spec.goal.rawValue)); "
                                             + "values of different objectives cannot seed a sampler")
        }
        let trials = try store.trials(sweepID: other.id, state: .completed)
        let prior = trials.compactMap { trial -> PastTrial? in
            guard let value = trial.normalisedFinalValue, value.isFinite else { return nil }
            guard spec.space.allSatisfy({ fits(trial.params[$0.name], $0.domain) }) else { return nil }
            return PastTrial(number: -Int(trial.number), params: trial.params, isRunning: false,
                             normalisedObjective: value)
        }
        guard !prior.isEmpty else {
            throw SchedulerError.invalidSpec("--warm-start-from \(name): none of its \(trials.count) completed trials "
                                             + "lies in this sweep's space (same parameter names, values inside the domains)")
        }
        return prior.sorted { $0.number > $1.number }
    }

    static func fits(_ value: ParamValue?, _ domain: ParameterSpec.Domain) -> Bool {
        switch (domain, value?.doubleValue) {
        case (.uniform(let low, let high), let x?), (.logUniform(let low, let high), let x?):
            return x >= low && x <= high
        case (.integer(let low, let high), let x?):
            return x == x.rounded() && x >= Double(low) && x <= Double(high)
        case (.choice(let values), _):
            return value.map(values.contains) ?? false
        case (.fixed(let fixed), _):
            return fixed == value
        default:
            return false
        }
    }
}
