import SweepStore

/// Which sweep a run continues: the stored one when the spec resumes it, else a new
/// one; a changed spec or a sweep that ended badly is refused unless `--new` asks
/// for a new sweep.
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
        guard newSweep else {
            if found.specHash != hash {
                throw SchedulerError.specChanged(sweep: spec.name, storedHash: found.specHash, newHash: hash)
            }
            throw SchedulerError.sweepNotResumable(sweep: spec.name, state: found.state.rawValue)
        }
        var suffix = 2
        while try store.sweep(named: "\(spec.name)-\(suffix)") != nil { suffix += 1 }
        spec.name = "\(spec.name)-\(suffix)"
        return (spec, nil)
    }
}
