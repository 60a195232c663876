import ConfigFiles
import Foundation
import Scheduler

/// A spec handed to the service as text, parsed exactly as `vsweep run` / `vsweep compare`
/// parse a file: the same errors with the same line and field, the source named
/// `submitted spec`.
public struct SubmittedSpec: Sendable {
    public static let source = "submitted spec"
    public var kind: QueueEntry.Kind
    public var sweep: SweepSpec
    public var comparison: ComparisonSpec?

    public var name: String { sweep.name }

    /// `kind` nil: a spec with a top-level `arms:` is a comparison, any other a sweep.
    public static func parse(_ text: String, kind: QueueEntry.Kind?) throws -> SubmittedSpec {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // A file path in a submitted spec would let a client read any file the daemon
        // can; the trial section goes inline instead.
        if let index = lines.firstIndex(where: { $0.hasPrefix("trial_file:") }) {
            throw ConfigFileError(source: source, line: index + 1, field: "trial_file",
                                  message: "is not accepted in a spec submitted to the service; put the trial section inline (trial: {...})")
        }
        let resolved = kind ?? (lines.contains { $0.hasPrefix("arms:") } ? .comparison : .sweep)
        switch resolved {
        case .sweep:
            return SubmittedSpec(kind: .sweep, sweep: try SweepSpec.parse(text: text, source: source), comparison: nil)
        case .comparison:
            let comparison = try ComparisonSpec.parse(text: text, source: source)
            return SubmittedSpec(kind: .comparison, sweep: comparison.sweepSpec(), comparison: comparison)
        }
    }

    var parameterSource: (any ParameterSource)? {
        comparison.map { ComparisonParameterSource(spec: $0) }
    }
}
