import Vocabulary

/// The parameters of a comparison's trials: trial n runs the cell
/// `spec.cell(ofTrial: n)`, i.e. that arm's keys plus `"seed"`: the cell's seed, which
/// the dispatcher takes as the trial seed (so arms at one seed see the same data).
/// `.exhausted` after arms × seeds trials. A pure function of the spec and n: the
/// history plays no part, so a resumed comparison proposes the same cells.
public struct ComparisonParameterSource: ParameterSource, Sendable {
    public let spec: ComparisonSpec

    public init(spec: ComparisonSpec) {
        self.spec = spec
    }

    public func propose(trialNumber: Int, history: [PastTrial]) throws -> Proposal {
        guard let cell = spec.cell(ofTrial: Int64(trialNumber)) else { return .exhausted }
        var params = cell.arm.params
        params[TrialConfigKey.seed.dotted] = .int(Int(cell.seed))
        return .params(params)
    }

    /// Stored with the trial, so that readers group runs by arm without the spec.
    public func arm(ofTrial number: Int) -> String? {
        spec.cell(ofTrial: Int64(number))?.arm.name
    }
}
