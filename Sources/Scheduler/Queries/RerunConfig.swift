import Vocabulary
import Foundation
import SweepStore
import TrialProtocol

/// Turns the config a trial received into one that is safe to run again as printed by
/// `best`: it writes its checkpoints to a fresh directory (re-running the original's
/// config overwrote that trial's checkpoint), reads the base and data the sweep actually
/// used (the resolved paths recorded in its provenance, checked by content hash, not a
/// symlink that may have moved since), and runs the final evaluation on the test split
/// (sweeps switch it off with `eval.test_examples: 0`, as selection must not see test).
public enum RerunConfig {
    public struct Result: Sendable {
        public var config: JSONValue
        /// Problems the user must know before trusting a re-run (moved or changed inputs).
        public var warnings: [String]
    }

    public static func make(_ config: JSONValue, sweep: Sweep, number: Int64, runsDirectory: String,
                            verifyInputs: Bool = true) -> Result {
        guard case .object(var fields) = config else { return Result(config: config, warnings: []) }
        var warnings: [String] = []
        fields[TrialConfigKey.trial.name] = .string("\(sweep.name)-\(number)-rerun")
        var checkpoint: [String: JSONValue] = [:]
        if case .object(let existing)? = fields[TrialConfigKey.checkpointSection] { checkpoint = existing }
        checkpoint[TrialConfigKey.checkpointDir.name] = .string(directory(runsDirectory: runsDirectory, sweep: sweep.name, number: number))
        fields[TrialConfigKey.checkpointSection] = .object(checkpoint)
        if case .object(var eval)? = fields["eval"], case .number(0)? = eval["test_examples"] {
            eval["test_examples"] = nil
            fields["eval"] = .object(eval)
        }
        if let provenance = Provenance.decode(sweep.provenance) {
            for key in Provenance.inputKeys {
                guard let recorded = provenance.inputs[key], case .string? = fields[key] else { continue }
                fields[key] = .string(recorded.resolved)
                guard verifyInputs, let hash = recorded.hash else { continue }
                let now = Provenance.input(recorded.resolved).hash
                if now != hash {
                    warnings.append("\(key) \(recorded.resolved) " + (now == nil ? "is gone" : "has changed")
                                    + " since the sweep ran (recorded \(hash)\(now.map { ", now \($0)" } ?? "")): "
                                    + "a re-run will not reproduce the sweep's numbers")
                }
            }
        } else {
            warnings.append("sweep \(sweep.name) has no recorded provenance (run before vsweep recorded it): "
                            + "base and data are the paths as given, not checked by content")
        }
        return Result(config: .object(fields), warnings: warnings)
    }

    /// `<runs>/<sweep>/reruns/trial-<n>`: next to the sweep's trials, never one of them.
    public static func directory(runsDirectory: String, sweep: String, number: Int64) -> String {
        ((runsDirectory as NSString).appendingPathComponent(sweep) as NSString)
            .appendingPathComponent("reruns/trial-\(number)")
    }
}
