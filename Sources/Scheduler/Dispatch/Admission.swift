import Vocabulary
import Foundation
import SweepStore
import TrialProtocol

/// Decides what starts next and where: the free slots, the sweep's limits
/// (`max_trials`, `max_trial_seconds`) and the sampler. Re-queued trials go first;
/// a new trial is enqueued (committed) before it is handed out to start.
final class Admission {
    private let spec: SweepSpec
    private let store: SweepStore
    private let sweepID: Int64
    private let source: any ParameterSource
    private let ledger: SweepLedger
    private let bracket: (Int64) -> Int?
    private let cpu: ThreadCPUClock
    private(set) var freeSlots: [Int]
    /// Set when no new trial may be created (limit reached, sampler exhausted).
    private(set) var creationClosed: String?
    /// Why nothing was proposed now, while the sampler waits.
    private(set) var waitingReason: String?
    /// Machine slots shared with other sweeps (`vsweep serve`); nil: only this sweep's own.
    var gate: (any SlotGate)?
    /// The gate refused a slot at the last `next`: the sweep waits to be woken, it is not stuck.
    private(set) var waitingForSlot = false

    /// A trial to start in `slot`; `bookkeeping`: CPU spent proposing and enqueueing it.
    struct Start {
        var trial: Trial
        /// As recorded with the attempt: the sweep's own slot, and the gate's lease code above it.
        var slot: Int
        /// The lease's GPUs (nil: no gate, or one that hands out none).
        var gpus: [String]?
        var bookkeeping: UInt64
    }

    init(spec: SweepSpec, store: SweepStore, sweepID: Int64, source: any ParameterSource, ledger: SweepLedger,
         cpu: ThreadCPUClock, bracket: @escaping (Int64) -> Int?) {
        self.spec = spec
        self.store = store
        self.sweepID = sweepID
        self.source = source
        self.ledger = ledger
        self.cpu = cpu
        self.bracket = bracket
        freeSlots = Array((0..<spec.parallelTrials).reversed())
    }

    /// `slot` as recorded (`Start.slot`, `claim`): the sweep's own slot and the gate's lease.
    func release(slot: Int) {
        freeSlots.append(SlotLease.local(ofRecorded: slot))
        gate?.release(code: SlotLease.code(ofRecorded: slot))
    }

    /// Takes `slot` for a re-attached trial (the one it held, so its GPUs stay its
    /// own: the gate's lease recorded with it is taken back too), or any free slot
    /// when that one is unknown or taken. Returns the slot as recorded.
    func claim(slot: Int?) -> Int {
        let local: Int
        if let slot, let index = freeSlots.firstIndex(of: SlotLease.local(ofRecorded: slot)) {
            local = freeSlots.remove(at: index)
        } else {
            local = freeSlots.popLast() ?? spec.parallelTrials
        }
        guard let gate else { return local }
        let lease = gate.reclaim(code: slot.map(SlotLease.code(ofRecorded:)) ?? 0)
        return SlotLease.record(local: local, code: lease.code)
    }

    /// The next trial to start, with its slot taken; nil when no slot is free or
    /// nothing may start now. `log` hears of queued trials cancelled for the budget.
    func next(log: (String) -> Void) throws -> Start? {
        waitingForSlot = false
        while !freeSlots.isEmpty {
            // The machine slot is taken first and given back on every path that starts nothing.
            var lease: SlotLease?
            if let gate {
                guard let granted = gate.tryAcquire() else {
                    waitingForSlot = true
                    return nil
                }
                lease = granted
            }
            var handedOut = false
            defer { if !handedOut, let lease { gate?.giveBack(code: lease.code) } }
            func slot() -> Int { SlotLease.record(local: freeSlots.removeLast(), code: lease?.code ?? 0) }
            if let queued = try store.trials(sweepID: sweepID, state: .queued, limit: 1).first {
                if try secondsBudgetSpent() {
                    let count = try store.cancelQueued(sweepID: sweepID, reason: "the sweep's max_trial_seconds is spent")
                    ledger.tally.move(count, from: .queued, to: .cancelled)
                    log("cancelled \(count) queued trial(s): max_trial_seconds spent")
                    continue
                }
                handedOut = true
                return Start(trial: queued, slot: slot(), gpus: lease?.gpus, bookkeeping: 0)
            }
            guard creationClosed == nil else { return nil }
            let began = cpu.nanoseconds
            guard let proposal = try nextProposal() else { return nil }
            let number = ledger.highestNumber + 1
            let trial = try store.enqueueTrial(
                sweepID: sweepID, params: proposal, seed: trialSeed(proposal, number: number),
                bracket: bracket(number), arm: source.arm(ofTrial: Int(number)), maxAttempts: spec.maxAttempts)
            ledger.tally.record(trial, leaving: nil)
            if trial.number != number {
                log("warning: trial numbered \(trial.number), expected \(number): another process enqueued trials")
            }
            ledger.highestNumber = max(ledger.highestNumber, trial.number)
            ledger.history[trial.number] = PastTrial(number: Int(trial.number), params: proposal, isRunning: true,
                                                     normalisedObjective: nil)
            handedOut = true
            return Start(trial: trial, slot: slot(), gpus: lease?.gpus, bookkeeping: cpu.nanoseconds &- began)
        }
        return nil
    }

    /// The watchdog's end: queued trials cancelled, the sweep recorded as failed.
    func closeFailed(reason: String = "watchdog: nothing runnable, nothing running") throws {
        let count = try store.cancelQueued(sweepID: sweepID, reason: reason)
        ledger.tally.move(count, from: .queued, to: .cancelled)
        try store.finishSweep(id: sweepID, state: .failed)
    }

    /// Whether a queued trial remains (the sweep is not over while one does).
    func hasQueued() throws -> Bool {
        try !store.trials(sweepID: sweepID, state: .queued, limit: 1).isEmpty
    }

    /// A `seed` the parameter source chose (a comparison pairs arms by seed) wins over
    /// the seed derived from the search seed and the trial number.
    private func trialSeed(_ proposal: ParamAssignment, number: Int64) -> Int64 {
        if let x = proposal[TrialConfigKey.seed.dotted]?.doubleValue, x == x.rounded(), x >= 0, x < 9e15 { return Int64(x) }
        return TrialLauncher.seed(searchSeed: spec.seed, number: number)
    }

    /// The next trial's parameters, or nil when none may be created now (and why is
    /// in `creationClosed` or `waitingReason`).
    private func nextProposal() throws -> ParamAssignment? {
        let usage = try store.budgetUsage(sweepID: sweepID)
        if let maxTrials = spec.maxTrials, usage.trialsStarted >= maxTrials {
            creationClosed = "max_trials \(maxTrials) reached"
            return nil
        }
        if let maxSeconds = spec.maxTrialSeconds, usage.trialSeconds >= maxSeconds {
            // Running trials still add seconds; no new trial starts once the sum is spent.
            creationClosed = "max_trial_seconds \(maxSeconds) spent (\(usage.trialSeconds) s)"
            return nil
        }
        let number = Int(ledger.highestNumber + 1)
        let past = source.usesHistory ? Array(ledger.history.values) : []
        switch try source.propose(trialNumber: number, history: past) {
        case .params(let params):
            waitingReason = nil
            return params
        case .exhausted:
            creationClosed = "the \(spec.algorithm.rawValue) sampler has no point left"
            return nil
        case .notNow(let reason):
            waitingReason = reason
            return nil
        }
    }

    private func secondsBudgetSpent() throws -> Bool {
        guard let maxSeconds = spec.maxTrialSeconds else { return false }
        return try store.budgetUsage(sweepID: sweepID).trialSeconds >= maxSeconds
    }
}
