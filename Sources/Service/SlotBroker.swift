import Foundation
import Scheduler

/// The machine's slots (CPU threads), shared by the sweeps the daemon runs. A trial takes
/// its sweep's `threads_per_trial` slots at once (`cost`). Free slots go to the sweep
/// furthest below its fair share: the lowest (held + cost) / priority among the
/// sweeps that want one (ties: the one waiting longest). A sweep wants a slot when it
/// was refused one, or when one of its trials just ended (it asks again at once, so
/// the slot is kept for it rather than raced for). A sweep refused is woken when a
/// slot frees and it is next in line. Thread-safe: every sweep asks from its own loop
/// thread.
final class SlotBroker: @unchecked Sendable {
    let total: Int
    private let lock = NSLock()
    private var members: [Int: Member] = [:]
    private var ticket = 0

    private struct Member {
        var priority: Int
        var maxSlots: Int?
        /// Slots one of its trials takes.
        var cost: Int
        var held = 0
        /// Set while refused; the order in which sweeps started waiting.
        var waitingSince: Int?
        /// A trial of it just ended; it is about to ask again.
        var claims = false
        var wake: @Sendable () -> Void
    }

    init(total: Int) { self.total = total }

    /// Slots held by all sweeps.
    var inUse: Int {
        lock.lock(); defer { lock.unlock() }
        return members.values.reduce(0) { $0 + $1.held }
    }

    /// Slots held per entry id.
    var holdings: [Int: Int] {
        lock.lock(); defer { lock.unlock() }
        return members.mapValues(\.held)
    }

    func gate(for id: Int, priority: Int, maxSlots: Int?, cost: Int, wake: @escaping @Sendable () -> Void) -> Gate {
        lock.lock()
        members[id] = Member(priority: max(1, priority), maxSlots: maxSlots, cost: max(1, cost), wake: wake)
        lock.unlock()
        return Gate(broker: self, id: id)
    }

    /// The sweep has ended: its slots (none should be left) go back and the next in
    /// line is woken.
    func remove(_ id: Int) {
        lock.lock()
        members[id] = nil
        let next = nextInLine()
        lock.unlock()
        next?()
    }

    /// The sweep is stopping and takes no more slots: it stops blocking the line.
    func withdraw(_ id: Int) {
        lock.lock()
        members[id]?.waitingSince = nil
        members[id]?.claims = false
        members[id]?.maxSlots = 0
        let next = nextInLine()
        lock.unlock()
        next?()
    }

    fileprivate func tryAcquire(_ id: Int) -> Bool {
        lock.lock()
        guard var me = members[id] else { lock.unlock(); return false }
        let free = total - members.values.reduce(0) { $0 + $1.held }
        // At its own cap the sweep does not wait in line: its own trial ends free it.
        if let cap = me.maxSlots, me.held + me.cost > cap { lock.unlock(); return false }
        let chosen = free > 0 ? deserving(including: id) : nil
        if chosen == id, free >= me.cost {
            me.held += me.cost
            me.waitingSince = nil
            me.claims = false
            members[id] = me
            lock.unlock()
            return true
        }
        if me.waitingSince == nil {
            ticket += 1
            me.waitingSince = ticket
        }
        me.claims = false
        members[id] = me
        // Not itself: a sweep first in line but waiting for enough free slots must not spin.
        let wake = chosen.flatMap { $0 == id ? nil : members[$0]?.wake }
        lock.unlock()
        wake?()
        return false
    }

    fileprivate func release(_ id: Int) {
        lock.lock()
        if let member = members[id] { members[id]?.held = max(0, member.held - member.cost) }
        members[id]?.claims = true
        let next = nextInLine(skipping: id)
        lock.unlock()
        next?()
    }

    fileprivate func giveBack(_ id: Int) {
        lock.lock()
        if let member = members[id] { members[id]?.held = max(0, member.held - member.cost) }
        members[id]?.claims = false
        members[id]?.waitingSince = nil
        let next = nextInLine()
        lock.unlock()
        next?()
    }

    /// Lock held: the wake of the sweep that should get a free slot, if any; none when
    /// that is `skipping` (the sweep releasing it, which asks again by itself).
    private func nextInLine(skipping: Int? = nil) -> (@Sendable () -> Void)? {
        let free = total - members.values.reduce(0) { $0 + $1.held }
        guard free > 0, let id = deserving(including: nil), id != skipping else { return nil }
        return members[id]?.wake
    }

    /// Lock held: among the waiting sweeps (and `asking`), the one furthest below its share.
    private func deserving(including asking: Int?) -> Int? {
        var best: (id: Int, share: Double, since: Int)?
        for (id, member) in members where member.waitingSince != nil || member.claims || id == asking {
            if let cap = member.maxSlots, member.held + member.cost > cap { continue }
            let share = Double(member.held + member.cost) / Double(member.priority)
            let since = member.waitingSince ?? Int.max
            if let current = best {
                if share < current.share || (share == current.share && (since, id) < (current.since, current.id)) {
                    best = (id, share, since)
                }
            } else {
                best = (id, share, since)
            }
        }
        return best?.id
    }

    /// One sweep's view of the broker, handed to its `SweepRunner`.
    final class Gate: SlotGate, @unchecked Sendable {
        let broker: SlotBroker
        let id: Int
        init(broker: SlotBroker, id: Int) {
            self.broker = broker
            self.id = id
        }
        func tryAcquire() -> Bool { broker.tryAcquire(id) }
        func release() { broker.release(id) }
        func giveBack() { broker.giveBack(id) }
    }
}
