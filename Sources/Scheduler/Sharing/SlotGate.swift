/// Slots shared with other sweeps of one process (`vsweep serve`): before a trial
/// takes one of the sweep's own slots, the gate must grant one of the machine's.
/// Called on the sweep's loop thread; implementations are shared across threads.
/// A denied sweep is woken by its owner (e.g. a `LoopWakeup`) when a slot may be free.
public protocol SlotGate: AnyObject, Sendable {
    /// Takes one machine slot (and, for a GPU sweep, its GPUs) for this sweep, or
    /// returns nil (the sweep waits).
    func tryAcquire() -> SlotLease?
    /// Gives back the lease of a trial that ended; the sweep is about to ask again.
    func release(code: Int)
    /// Gives back a lease granted when the sweep then had nothing to start: it will
    /// not ask again until woken or until one of its trials ends.
    func giveBack(code: Int)
    /// The lease of a trial re-attached after a restart, from the code recorded with
    /// its attempt: the same GPUs, taken whatever else is held (the process runs).
    func reclaim(code: Int) -> SlotLease
}

/// What a gate grants: `code` is recorded with the attempt (`trial_attempt.slot`,
/// above the sweep's own slot: `SlotLease.record`) so that a re-attached trial gets
/// the same lease back; `gpus` are the trial's `CUDA_VISIBLE_DEVICES` (nil: the gate
/// hands out no GPUs and the spec's own `parallel.gpus` mapping applies; empty: none,
/// the variable is set empty).
public struct SlotLease: Sendable, Equatable {
    public var code: Int
    public var gpus: [String]?

    public init(code: Int, gpus: [String]?) {
        self.code = code
        self.gpus = gpus
    }

    /// Bits of `trial_attempt.slot` for the sweep's own slot (`parallel.trials` < 2^20);
    /// the lease code is stored above them. Without a gate the code is 0 and the
    /// recorded slot is the sweep's own.
    public static let localBits = 20

    public static func record(local: Int, code: Int) -> Int { local | (code << localBits) }
    public static func local(ofRecorded slot: Int) -> Int { slot & ((1 << localBits) - 1) }
    public static func code(ofRecorded slot: Int) -> Int { slot >> localBits }
}
