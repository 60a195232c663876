/// Slots shared with other sweeps of one process (`vsweep serve`): before a trial
/// takes one of the sweep's own slots, the gate must grant one of the machine's.
/// Called on the sweep's loop thread; implementations are shared across threads.
/// A denied sweep is woken by its owner (e.g. a `LoopWakeup`) when a slot may be free.
public protocol SlotGate: AnyObject, Sendable {
    /// Takes one machine slot for this sweep, or returns false (the sweep waits).
    func tryAcquire() -> Bool
    /// Gives back the slot of a trial that ended; the sweep is about to ask again.
    func release()
    /// Gives back a slot granted when the sweep then had nothing to start: it will not
    /// ask again until woken or until one of its trials ends.
    func giveBack()
}
