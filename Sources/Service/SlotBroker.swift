import Foundation
import Scheduler

/// The machine's slots (CPU threads) and GPUs, shared by the sweeps the daemon runs.
/// A trial takes its sweep's `threads_per_trial` slots at once (`cost`) and, for a
/// sweep that lists `parallel.gpus`, `gpus_per_trial` distinct GPUs of that list
/// (a subset of the daemon's `--gpus`), leased to it alone until its exit is recorded.
///
/// Free resources go to the sweep furthest below its fair share: the lowest dominant
/// share max((held + cost) / slots, (GPUs held + gpus_per_trial) / GPUs) / priority
/// among the sweeps that want a trial started (ties: the one waiting longest). A GPU
/// sweep none of whose GPUs are free does not hold up the line (CPU-only sweeps go
/// on); it is woken when one of its GPUs frees and it is next. A sweep wants a slot
/// when it was refused one, or when one of its trials just ended (it asks again at
/// once, so the slot is kept for it rather than raced for). Thread-safe: every sweep
/// asks from its own loop thread.
///
/// A lease's code is the bit mask of its GPUs in the daemon's `--gpus` list, recorded
/// with the attempt so that a trial re-attached after a restart keeps its GPUs
/// (`reserve` before the sweeps start, `reclaim` when the sweep re-attaches it).
final class SlotBroker: @unchecked Sendable {
    let total: Int
    /// The daemon's GPUs (`vsweep serve --gpus`), in order; a lease code's bit i is `gpus[i]`.
    let gpus: [String]
    private let lock = NSLock()
    private var members: [Int: Member] = [:]
    /// The entry holding each GPU (index into `gpus`), nil when free.
    private var gpuOwner: [Int?]
    /// Leases of trials left running by the last daemon, held for their sweeps until
    /// re-attached (`reclaim`) or dropped at the sweep's first ask.
    private var reservations: [Int: (cost: Int, codes: [Int])] = [:]
    private var ticket = 0

    private struct Member {
        var priority: Int
        var maxSlots: Int?
        /// Slots one of its trials takes.
        var cost: Int
        /// GPUs one of its trials takes (0: a CPU-only sweep) and those it may use.
        var gpusPerTrial: Int
        var gpuSubset: [Int]
        var held = 0
        var gpusHeld = 0
        /// Set while refused; the order in which sweeps started waiting.
        var waitingSince: Int?
        /// A trial of it just ended; it is about to ask again.
        var claims = false
        var wake: @Sendable () -> Void
    }

    init(total: Int, gpus: [String] = []) {
        self.total = total
        self.gpus = gpus
        gpuOwner = Array(repeating: nil, count: gpus.count)
    }

    /// Slots held by all sweeps (reserved ones included).
    var inUse: Int {
        lock.lock(); defer { lock.unlock() }
        return usedSlots()
    }

    /// Slots held per entry id.
    var holdings: [Int: Int] {
        lock.lock(); defer { lock.unlock() }
        return members.mapValues(\.held)
    }

    /// The entry holding each of the daemon's GPUs (nil: free), by GPU id.
    var gpuHolders: [(gpu: String, entry: Int?)] {
        lock.lock(); defer { lock.unlock() }
        return zip(gpus, gpuOwner).map { ($0, $1) }
    }

    /// Where a sweep listing `wanted` (its `parallel.gpus`) may take GPUs: their indices
    /// in the daemon's list. Throws a message naming what is missing.
    func gpuIndices(for wanted: [String], perTrial: Int) throws -> [Int] {
        var indices: [Int] = []
        for id in wanted {
            guard let index = gpus.firstIndex(of: id) else {
                let have = gpus.isEmpty ? "none (start it with --gpus, e.g. --gpus 0,1)" : gpus.joined(separator: ",")
                throw BrokerError("parallel.gpus lists GPU \(id), which the service does not own; its GPUs: \(have)")
            }
            if !indices.contains(index) { indices.append(index) }
        }
        if !indices.isEmpty && perTrial > indices.count {
            throw BrokerError("parallel.gpus_per_trial \(perTrial) is more than the \(indices.count) distinct GPUs "
                              + "parallel.gpus lists")
        }
        return indices
    }

    struct BrokerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    func gate(for id: Int, priority: Int, maxSlots: Int?, cost: Int, gpuSubset: [Int] = [], gpusPerTrial: Int = 0,
              wake: @escaping @Sendable () -> Void) -> Gate {
        lock.lock()
        members[id] = Member(priority: max(1, priority), maxSlots: maxSlots, cost: max(1, cost),
                             gpusPerTrial: gpuSubset.isEmpty ? 0 : max(1, gpusPerTrial), gpuSubset: gpuSubset, wake: wake)
        lock.unlock()
        return Gate(broker: self, id: id)
    }

    /// Before the sweeps start again: the leases (codes) of `id`'s trials left running
    /// by the last daemon are held for it, so that no other sweep takes their GPUs.
    func reserve(_ id: Int, cost: Int, codes: [Int]) {
        guard !codes.isEmpty else { return }
        lock.lock(); defer { lock.unlock() }
        reservations[id] = (max(1, cost), codes)
        for code in codes { for index in indices(of: code) { gpuOwner[index] = id } }
    }

    /// The sweep has ended: its slots (none should be left) go back and the next in
    /// line is woken.
    func remove(_ id: Int) {
        lock.lock()
        members[id] = nil
        dropReservations(id)
        for index in gpuOwner.indices where gpuOwner[index] == id { gpuOwner[index] = nil }
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

    fileprivate func tryAcquire(_ id: Int) -> SlotLease? {
        lock.lock()
        // Recovery is over when a sweep first asks: leases it did not re-attach are free.
        dropReservations(id)
        guard var me = members[id] else { lock.unlock(); return nil }
        let free = total - usedSlots()
        // At its own cap the sweep does not wait in line: its own trial ends free it.
        if let cap = me.maxSlots, me.held + me.cost > cap { lock.unlock(); return nil }
        let chosen = free > 0 ? deserving(including: id) : nil
        if chosen == id, free >= me.cost, let taken = freeGPUs(for: me) {
            me.held += me.cost
            me.gpusHeld += taken.count
            me.waitingSince = nil
            me.claims = false
            members[id] = me
            for index in taken { gpuOwner[index] = id }
            let code = taken.reduce(0) { $0 | (1 << $1) }
            lock.unlock()
            return lease(code)
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
        return nil
    }

    fileprivate func reclaim(_ id: Int, code: Int) -> SlotLease {
        lock.lock()
        defer { lock.unlock() }
        let cost = members[id]?.cost ?? 1
        if var reserved = reservations[id], let at = reserved.codes.firstIndex(of: code) {
            reserved.codes.remove(at: at)
            reservations[id] = reserved.codes.isEmpty ? nil : reserved
        }
        let taken = indices(of: code)
        // The process runs on these GPUs whatever the broker thinks: they are its.
        for index in taken { gpuOwner[index] = id }
        members[id]?.held += cost
        members[id]?.gpusHeld += taken.count
        return lease(code)
    }

    fileprivate func release(_ id: Int, code: Int) {
        lock.lock()
        giveUp(id, code: code)
        members[id]?.claims = true
        let next = nextInLine(skipping: id)
        lock.unlock()
        next?()
    }

    fileprivate func giveBack(_ id: Int, code: Int) {
        lock.lock()
        giveUp(id, code: code)
        members[id]?.claims = false
        members[id]?.waitingSince = nil
        let next = nextInLine()
        lock.unlock()
        next?()
    }

    // MARK: - Lock held

    private func giveUp(_ id: Int, code: Int) {
        guard let member = members[id] else { return }
        let taken = indices(of: code)
        members[id]?.held = max(0, member.held - member.cost)
        members[id]?.gpusHeld = max(0, member.gpusHeld - taken.count)
        for index in taken where gpuOwner[index] == id { gpuOwner[index] = nil }
    }

    private func usedSlots() -> Int {
        members.values.reduce(0) { $0 + $1.held } + reservations.values.reduce(0) { $0 + $1.cost * $1.codes.count }
    }

    private func dropReservations(_ id: Int) {
        guard let left = reservations.removeValue(forKey: id) else { return }
        for code in left.codes {
            for index in indices(of: code) where gpuOwner[index] == id { gpuOwner[index] = nil }
        }
    }

    private func indices(of code: Int) -> [Int] { gpus.indices.filter { code & (1 << $0) != 0 } }

    /// The lease of a code: its GPUs, or none when the daemon owns GPUs (the trial must
    /// not see them), or nil (no GPUs: the environment is left as it is).
    private func lease(_ code: Int) -> SlotLease {
        SlotLease(code: code, gpus: gpus.isEmpty ? nil : indices(of: code).map { gpus[$0] })
    }

    /// The GPUs a trial of `member` would take now (first free of its subset), nil when
    /// too few are free; empty for a CPU-only sweep.
    private func freeGPUs(for member: Member) -> [Int]? {
        guard member.gpusPerTrial > 0 else { return [] }
        let free = member.gpuSubset.filter { gpuOwner[$0] == nil }
        return free.count >= member.gpusPerTrial ? Array(free.prefix(member.gpusPerTrial)) : nil
    }

    /// The wake of the sweep that should get a free slot, if any; none when that is
    /// `skipping` (the sweep releasing it, which asks again by itself).
    private func nextInLine(skipping: Int? = nil) -> (@Sendable () -> Void)? {
        let free = total - usedSlots()
        guard free > 0, let id = deserving(including: nil), id != skipping else { return nil }
        return members[id]?.wake
    }

    /// Among the waiting sweeps (and `asking`), the one furthest below its share; a GPU
    /// sweep counts only while enough of its GPUs are free.
    private func deserving(including asking: Int?) -> Int? {
        var best: (id: Int, share: Double, since: Int)?
        for (id, member) in members where member.waitingSince != nil || member.claims || id == asking {
            if let cap = member.maxSlots, member.held + member.cost > cap { continue }
            guard freeGPUs(for: member) != nil else { continue }
            var dominant = Double(member.held + member.cost) / Double(max(1, total))
            if member.gpusPerTrial > 0 {
                dominant = max(dominant, Double(member.gpusHeld + member.gpusPerTrial) / Double(max(1, gpus.count)))
            }
            let share = dominant / Double(member.priority)
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
        func tryAcquire() -> SlotLease? { broker.tryAcquire(id) }
        func release(code: Int) { broker.release(id, code: code) }
        func giveBack(code: Int) { broker.giveBack(id, code: code) }
        func reclaim(code: Int) -> SlotLease { broker.reclaim(id, code: code) }
    }
}
