import ConfigFiles
import TrialProtocol

/// The field-by-field difference between a stored spec and a new one, as dotted paths
/// with both values, and which of them an existing sweep may take without `--new`.
public struct SpecDifference: Sendable, Equatable {
    public struct Change: Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var stored: JSONValue?
        public var new: JSONValue?

        public var description: String {
            "\(field): \(stored.map(ConfigReader.show) ?? "(absent)") → \(new.map(ConfigReader.show) ?? "(absent)")"
        }
    }

    public var changes: [Change]

    /// Fields that change how much of the sweep runs, or how many trials run at once, but
    /// not what any trial computes: a sweep extended by them is the same experiment.
    public static let extendable = ["limits.max_trials", "limits.max_trial_seconds", "parallel.trials"]

    /// The changes outside `extendable`.
    public var refused: [Change] { changes.filter { !Self.extendable.contains($0.field) } }

    /// Compares two spec texts as parsed documents (so formatting and key order do not count).
    public static func between(stored: String, new: String) throws -> SpecDifference {
        let a = try ConfigDocument.parse(yaml: stored, source: "stored spec").root
        let b = try ConfigDocument.parse(yaml: new, source: "new spec").root
        var changes: [Change] = []
        compare(a, b, path: "", into: &changes)
        return SpecDifference(changes: changes.sorted { $0.field < $1.field })
    }

    private static func compare(_ a: JSONValue?, _ b: JSONValue?, path: String, into changes: inout [Change]) {
        if a == b { return }
        if case .object(let x)? = a, case .object(let y)? = b {
            for key in Set(x.keys).union(y.keys) {
                compare(x[key], y[key], path: path.isEmpty ? key : "\(path).\(key)", into: &changes)
            }
            return
        }
        changes.append(Change(field: path.isEmpty ? "(whole spec)" : path, stored: a, new: b))
    }
}
