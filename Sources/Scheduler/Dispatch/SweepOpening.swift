import SweepStore

/// Which sweep a run continues: the stored one when the spec resumes it (or extends it:
/// only `SpecDifference.extendable` fields changed), else a new one; any other change,
/// or a sweep that ended badly, is refused unless `--new` asks for a new sweep.
enum SweepOpening {
    /// The sweep to run: the stored one when `spec` resumes it, else a new one (with
    /// `newSweep`, named `<name>-2`, `-3`, … when the stored one cannot be resumed).
    static func open(_ spec: SweepSpec, store: SweepStore, newSweep: Bool) throws -> (SweepSpec, Sweep?) {
        var spec = spec
        let hash = SpecHash.fnv1a64(spec.text)
        let existing = try store.sweep(named: spec.name)
        guard let found = existing, found.specHash != hash || found.state == .failed || found.state == .cancelled else {
            return (spec, existing)
        }
        if found.specHash != hash && (found.state == .active || found.state == .finished) {
            let difference = try SpecDifference.between(stored: found.spec, new: spec.text)
            if difference.refused.isEmpty {
                let extended = try store.extendSweep(id: found.id, spec: spec.text, specHash: hash,
                                                     maxTrials: spec.maxTrials, maxTrialSeconds: spec.maxTrialSeconds)
                return (spec, extended)
            }
            if !newSweep {
                throw SchedulerError.specChanged(sweep: spec.name, storedHash: found.specHash, newHash: hash,
                                                 changes: difference.refused.map(\.description))
            }
        }
        guard newSweep else {
            if found.specHash != hash {
                throw SchedulerError.specChanged(sweep: spec.name, storedHash: found.specHash, newHash: hash, changes: [])
            }
            throw SchedulerError.sweepNotResumable(sweep: spec.name, state: found.state.rawValue)
        }
        var suffix = 2
        while try store.sweep(named: "\(spec.name)-\(suffix)") != nil { suffix += 1 }
        spec.name = "\(spec.name)-\(suffix)"
        return (spec, nil)
    }
}
