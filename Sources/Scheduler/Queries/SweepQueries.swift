import Foundation
import SweepStore
import TrialProtocol

/// Read-only questions the CLI asks about recorded sweeps (safe while a
/// scheduler writes: the store is WAL).
public enum SweepQueries {
    public struct Ranked: Sendable {
        public var trial: Trial
        /// The trial config the engine received, rebuilt from the stored spec,
        /// parameters and seed, made safe to run again (`RerunConfig`): runnable with
        /// `vsweep train --config` without touching the original trial's files.
        public var config: JSONValue
        /// Why a re-run may not reproduce the trial (inputs moved or changed).
        public var warnings: [String] = []
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
        let spec = try storedSpec(of: sweep)
        let launcher = TrialLauncher(spec: spec, engineArgv: [], runsDirectory: runsDirectory, environment: [:])
        return try store.best(sweepID: sweep.id, top: top).map { trial in
            let original = launcher.config(number: trial.number, params: trial.params, seed: trial.seed)
            let rerun = RerunConfig.make(original, sweep: sweep, number: trial.number, runsDirectory: runsDirectory)
            return Ranked(trial: trial, config: rerun.config, warnings: rerun.warnings)
        }
    }

    /// The sweep spec a sweep ran: its stored text, as a sweep spec or, for a
    /// comparison, the sweep its arms × seeds were run as.
    public static func storedSpec(of sweep: Sweep) throws -> SweepSpec {
        if let comparison = comparisonSpec(of: sweep) { return comparison.sweepSpec() }
        return try SweepSpec.parse(text: sweep.spec, source: "stored spec of sweep \(sweep.name)")
    }

    /// The comparison spec a sweep was run from; nil for a search sweep.
    public static func comparisonSpec(of sweep: Sweep) -> ComparisonSpec? {
        try? ComparisonSpec.parse(text: sweep.spec, source: "stored spec of sweep \(sweep.name)")
    }

    /// Trials of a sweep in number order, optionally of one state.
    public static func trials(_ store: SweepStore, sweep name: String, state: TrialState? = nil) throws -> [Trial] {
        try store.trials(sweepID: try sweep(store, named: name).id, state: state)
    }

    /// The data splits a trial was evaluated on, read off the metric names of its recorded
    /// reports (`val_pass1` → validation, `test_pass1` → test, …), in a fixed order.
    public static func splitsEvaluated(_ reports: [ReportRow]) -> [String] {
        let names = ["train": "train", "heldout": "heldout", "feedback": "feedback", "val": "validation",
                     "validation": "validation", "test": "test"]
        var found = Set<String>()
        for report in reports {
            for metric in report.metrics.keys {
                for word in metric.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                    if let split = names[String(word)] { found.insert(split) }
                }
            }
        }
        return ["train", "heldout", "feedback", "validation", "test"].filter(found.contains)
    }

    /// The warning every reader of a sweep that selected on test prints.
    public static func testSelectionWarning(_ sweep: Sweep) -> String? {
        guard sweep.selectsOnTest else { return nil }
        return "warning: sweep \(sweep.name) selected on the test split (\(sweep.metric), metric.allow_test_split: "
            + "true): its best values are optimistically biased estimates of test performance"
    }
}

extension SweepQueries {
    /// Everything recorded about one trial: its row, attempts, reports (the
    /// learning curve), stopping decisions and state transitions.
    public struct TrialHistory: Sendable {
        public var sweep: Sweep
        public var trial: Trial
        public var attempts: [TrialAttempt]
        public var reports: [ReportRow]
        public var decisions: [DecisionRow]
        public var transitions: [TrialTransition]
    }

    /// `key` is `<sweep>-<number>` (the trial id engines see), e.g. `quickstart-3`.
    public static func history(_ store: SweepStore, trialKey key: String) throws -> TrialHistory {
        guard let dash = key.lastIndex(of: "-"), let number = Int64(key[key.index(after: dash)...]) else {
            throw SchedulerError.unknownSweep("\"\(key)\" is not a trial id (expected <sweep>-<number>, e.g. quickstart-3)")
        }
        let sweep = try sweep(store, named: String(key[..<dash]))
        guard let trial = try store.trial(sweepID: sweep.id, number: number) else {
            throw SchedulerError.unknownSweep("sweep \(sweep.name) has no trial \(number)")
        }
        return TrialHistory(sweep: sweep, trial: trial, attempts: try store.attempts(trialID: trial.id),
                            reports: try store.reports(trialID: trial.id), decisions: try store.decisions(trialID: trial.id),
                            transitions: try store.transitions(trialID: trial.id))
    }
}
