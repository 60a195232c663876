import Foundation
import SweepStore
import TrialProtocol

/// Read-only questions the CLI asks about recorded sweeps (safe while a
/// scheduler writes: the store is WAL).
public enum SweepQueries {
    public struct Ranked: Sendable {
        public var trial: Trial
        /// The trial config the engine received, rebuilt from the stored spec,
        /// parameters and seed: runnable again with `vsweep train --config`.
        public var config: JSONValue
    }

    public static func sweep(_ store: SweepStore, named name: String) throws -> Sweep {
        guard let sweep = try store.sweep(named: name) else {
            let known = try store.sweeps().map(\.name)
            throw SchedulerError.unknownSweep("no sweep named \"\(name)\"" + (known.isEmpty ? " (the database has none)" : "; known: \(known.joined(separator: ", "))"))
        }
        return sweep
    }

    /// The `top` best completed trials by the sweep's metric and goal, best first.
    public static func best(_ store: SweepStore, sweep name: String, top: Int, runsDirectory: String) throws -> [Ranked] {
        let sweep = try sweep(store, named: name)
        let spec = try SweepSpec.parse(text: sweep.spec, source: "stored spec of sweep \(name)")
        let launcher = TrialLauncher(spec: spec, engineArgv: [], runsDirectory: runsDirectory, environment: [:])
        return try store.best(sweepID: sweep.id, top: top).map { trial in
            Ranked(trial: trial, config: launcher.config(number: trial.number, params: StoredParams.json(trial.params),
                                                         seed: trial.seed))
        }
    }

    /// Trials of a sweep in number order, optionally of one state.
    public static func trials(_ store: SweepStore, sweep name: String, state: TrialState? = nil) throws -> [Trial] {
        try store.trials(sweepID: try sweep(store, named: name).id, state: state)
    }

    /// Parameters as plain JSON values (for printing).
    public static func params(_ trial: Trial) -> [String: JSONValue] { StoredParams.json(trial.params) }
}
