/// Slots shared with other sweeps of one process (`vsweep serve`): before a trial
/// takes one of the sweep's own slots, the gate must grant one of the machine's.
/// Called on the sweep's loop thread; implementations are shared across threads.
/// A denied sweep is woken by its owner (e.g. a `LoopWakeup`) when a slot may be free.
public protocol SlotGate: AnyObject, Sendable {
    /// Takes one machine slot for this sweep, or returns false (the sweep waits).
    func tryAcquire() -> Bool
    /// Gives back a slot taken by `tryAcquire`.
    func release()
}
