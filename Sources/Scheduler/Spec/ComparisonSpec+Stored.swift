import SweepStore
import TrialProtocol

extension ComparisonSpec {
    /// The comparison's identity as the store keeps it (`comparison`, `comparison_arm`):
    /// what `compare`, `report` and the service analyse by, without the spec text.
    public var stored: StoredComparison {
        let budget: StoredComparison.Budget = switch self.budget {
        case .updates(let updates): .updates(updates)
        case .seconds(let seconds): .seconds(seconds)
        }
        return StoredComparison(
            arms: arms.map { StoredComparison.Arm(name: $0.name, params: $0.params) },
            reference: reference, seeds: seeds, budget: budget, reportMetrics: reportMetrics,
            bootstrapResamples: bootstrapResamples, bootstrapSeed: bootstrapSeed)
    }
}

extension SweepQueries {
    /// The comparison a sweep runs, from the store; nil for a search sweep. A sweep
    /// recorded before v6 has no kind yet: its spec text is parsed this once, and, with
    /// `record` (a scheduler or CLI; not the read-only service), what it is is recorded
    /// so that later readers read the store only.
    public static func comparison(_ store: SweepStore, _ sweep: Sweep, record: Bool = true) throws -> StoredComparison? {
        switch sweep.kind {
        case .comparison?:
            return try store.comparison(sweepID: sweep.id)
        case .sweep?:
            return nil
        case nil:
            let legacy = comparisonSpec(of: sweep)?.stored
            if record { try store.recordKind(sweepID: sweep.id, comparison: legacy) }
            return legacy
        }
    }

    /// Whether a sweep is a search or a comparison (see `comparison(_:_:record:)` for
    /// sweeps recorded before v6).
    public static func kind(_ store: SweepStore, _ sweep: Sweep, record: Bool = true) throws -> SweepKind {
        if let kind = sweep.kind { return kind }
        return try comparison(store, sweep, record: record) == nil ? .sweep : .comparison
    }
}
