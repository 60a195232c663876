import Foundation
import Scheduler
import SweepStore

/// The daemon's state: the queue of submissions, the workers running them and the
/// machine's slots. Every change is saved to the queue file before it is acted on,
/// so a restart (even after kill -9) resumes: entries recorded as running are run
/// again, which resumes their sweeps from the store as a second `vsweep run` would.
public final class ServiceDaemon: @unchecked Sendable {
    public struct Settings: Sendable {
        /// Trials the machine runs at once, across all sweeps.
        public var slots: Int
        /// Sweeps run side by side at most; more wait in the queue (priority, then age).
        public var maxRunning: Int
        /// POSTed a JSON body when a sweep finishes, fails or is cancelled.
        public var webhook: URL?
        /// The machine's GPUs the daemon leases to trials (`--gpus`); a sweep's
        /// `parallel.gpus` is the subset of them its trials may take.
        public var gpus: [String]

        public init(slots: Int, maxRunning: Int? = nil, webhook: URL? = nil, gpus: [String] = []) {
            self.slots = slots
            self.maxRunning = maxRunning ?? max(1, slots)
            self.webhook = webhook
            self.gpus = gpus
        }
    }

    public let layout: ServiceLayout
    public let settings: Settings
    let broker: SlotBroker
    let metrics = ServiceMetrics()
    private let queueFile: QueueFile
    private let lock = NSLock()
    private var entries: [QueueEntry]
    private var workers: [Int: SweepWorker] = [:]
    private var shuttingDown = false
    private let log: @Sendable (String) -> Void
    private let idle = NSCondition()
    /// The database's and the runs directory's scheduler lock, held by the daemon for its
    /// whole life and shared by every sweep it runs: no `vsweep run` (or second daemon)
    /// can start on the same database while it runs, and its own sweeps do not refuse
    /// each other.
    let schedulerLock: SchedulerLock

    public init(layout: ServiceLayout, settings: Settings, log: @escaping @Sendable (String) -> Void) throws {
        self.layout = layout
        self.settings = settings
        self.log = log
        broker = SlotBroker(total: settings.slots, gpus: settings.gpus)
        try layout.prepare()
        schedulerLock = try SchedulerLock(store: try SweepStore.open(path: layout.database), runsDirectory: layout.runs)
        queueFile = QueueFile(path: layout.queuePath)
        entries = try queueFile.load()
    }

    /// Starts the workers of entries left running (or stopping) by the last daemon,
    /// then whatever the queue allows.
    public func resume() {
        lock.lock()
        let carried = entries.filter { $0.state.needsWorker }
        if !settings.gpus.isEmpty { log("GPUs leased to trials: \(settings.gpus.joined(separator: ","))") }
        reserveLeases(of: carried)
        for entry in carried { startWorker(entry) }
        if !carried.isEmpty { log("resuming \(carried.count) sweep(s) left running by the last daemon") }
        schedule()
        lock.unlock()
    }

    // MARK: - Reads

    public var snapshot: [QueueEntry] {
        lock.lock(); defer { lock.unlock() }
        return entries
    }

    /// The newest entry for a sweep name.
    public func entry(named name: String) -> QueueEntry? {
        lock.lock(); defer { lock.unlock() }
        return entries.last { $0.name == name }
    }

    public var slotsInUse: Int { broker.inUse }
    public var slotHoldings: [Int: Int] { broker.holdings }
    /// Each of the daemon's GPUs and the sweep (queue entry id) whose trial holds it.
    public var gpuHolders: [(gpu: String, entry: Int?)] { broker.gpuHolders }

    // MARK: - Commands

    public enum CommandError: Error, Equatable {
        case notFound(String)
        case conflict(String)
    }

    /// Adds a parsed spec to the queue. A sweep of the same name still live in the
    /// queue, or stored with a different spec, is refused (a new name is needed).
    public func submit(_ spec: SubmittedSpec, text: String, priority: Int, maxSlots: Int?,
                       store: SweepStore) throws -> QueueEntry {
        lock.lock(); defer { lock.unlock() }
        if spec.sweep.threadsPerTrial > settings.slots {
            throw CommandError.conflict("a trial of \(spec.name) takes \(spec.sweep.threadsPerTrial) slots "
                                        + "(parallel.threads_per_trial) but the service has \(settings.slots) (--slots)")
        }
        if let cap = maxSlots, spec.sweep.threadsPerTrial > cap {
            throw CommandError.conflict("max_slots \(cap) is less than one trial of \(spec.name) takes "
                                        + "(parallel.threads_per_trial \(spec.sweep.threadsPerTrial))")
        }
        do {
            _ = try broker.gpuIndices(for: spec.sweep.gpus, perTrial: spec.sweep.gpusPerTrial)
        } catch {
            throw CommandError.conflict("\(spec.name): \(error)")
        }
        if let live = entries.last(where: { $0.name == spec.name && !$0.state.isTerminal }) {
            throw CommandError.conflict("sweep \(spec.name) is already in the queue (\(live.state.rawValue))")
        }
        if let stored = try store.sweep(named: spec.name), stored.specHash != SpecHash.fnv1a64(text) {
            throw CommandError.conflict("a sweep named \(spec.name) with a different spec is in the store; "
                                        + "change the spec's name to start a new sweep")
        }
        let entry = QueueEntry(id: (entries.map(\.id).max() ?? 0) + 1, name: spec.name, kind: spec.kind, spec: text,
                               priority: priority, maxSlots: maxSlots, state: .queued, submittedAt: Date(), error: nil)
        entries.append(entry)
        try save()
        schedule()
        return entries.first { $0.id == entry.id } ?? entry
    }

    public enum Action: String, Sendable, CaseIterable { case pause, resume, cancel }

    public func apply(_ action: Action, to name: String, store: SweepStore) throws -> QueueEntry {
        lock.lock(); defer { lock.unlock() }
        guard let index = entries.lastIndex(where: { $0.name == name }) else {
            throw CommandError.notFound("no sweep named \(name) was submitted to this service")
        }
        let entry = entries[index]
        switch (action, entry.state) {
        case (.pause, .queued):
            entries[index].state = .paused
        case (.pause, .running):
            entries[index].state = .pausing
            try save()
            workers[entry.id]?.stop(reason: "paused through the service")
            return entries[index]
        case (.pause, .paused), (.pause, .pausing), (.resume, .queued), (.resume, .running):
            return entry
        case (.resume, .paused):
            entries[index].state = .queued
        case (.resume, .pausing):
            throw CommandError.conflict("sweep \(name) is still pausing (its trials are stopping); resume it once paused")
        case (.cancel, .queued), (.cancel, .paused):
            entries[index].state = .cancelled
            try save()
            try cancelInStore(name: name, store: store)
            notify(entries[index])
            schedule()
            return entries[index]
        case (.cancel, .running), (.cancel, .pausing):
            entries[index].state = .cancelling
            try save()
            workers[entry.id]?.stop(reason: "cancelled through the service")
            return entries[index]
        case (.cancel, .cancelling):
            return entry
        case (_, let state):
            throw CommandError.conflict("sweep \(name) is \(state.rawValue): cannot \(action.rawValue) it")
        }
        try save()
        schedule()
        return entries[index]
    }

    // MARK: - Shutdown

    /// Stops every worker (their trials are re-queued in the store, the entries stay
    /// running in the queue file so that the next daemon resumes them) and waits.
    public func shutdown() {
        lock.lock()
        shuttingDown = true
        let running = Array(workers.values)
        lock.unlock()
        for worker in running { worker.stop(reason: "the service is shutting down") }
        idle.lock()
        while true {
            lock.lock()
            let left = workers.count
            lock.unlock()
            if left == 0 { break }
            idle.wait(until: Date().addingTimeInterval(0.5))
        }
        idle.unlock()
    }

    // MARK: - Internals (lock held)

    private func save() throws { try queueFile.save(entries) }

    /// Starts queued entries while fewer than `maxRunning` run: highest priority first,
    /// then the oldest.
    private func schedule() {
        guard !shuttingDown else { return }
        while workers.count < settings.maxRunning {
            let waiting = entries.filter { $0.state == .queued }
            guard let next = waiting.min(by: { ($1.priority, $0.id) < ($0.priority, $1.id) }),
                  let index = entries.firstIndex(where: { $0.id == next.id }) else { return }
            entries[index].state = .running
            do { try save() } catch {
                entries[index].state = .queued
                log("cannot save the queue: \(error)")
                return
            }
            startWorker(entries[index])
        }
    }

    private func startWorker(_ entry: QueueEntry) {
        let spec: SubmittedSpec
        do { spec = try SubmittedSpec.parse(entry.spec, kind: entry.kind) } catch {
            finish(entry.id, .failed("the stored spec no longer parses: \(error)"))
            return
        }
        let gpuSubset: [Int]
        do { gpuSubset = try broker.gpuIndices(for: spec.sweep.gpus, perTrial: spec.sweep.gpusPerTrial) } catch {
            finish(entry.id, .failed("\(error)"))
            return
        }
        let worker = SweepWorker(entry: entry, spec: spec, gpuSubset: gpuSubset, layout: layout, broker: broker,
                                 metrics: metrics, schedulerLock: schedulerLock, log: log)
        workers[entry.id] = worker
        if entry.state == .pausing { worker.stop(reason: "paused through the service") }
        if entry.state == .cancelling { worker.stop(reason: "cancelled through the service") }
        worker.start { [weak self] ending in
            guard let self else { return }
            self.lock.lock()
            self.workers[entry.id] = nil
            self.finish(entry.id, ending)
            self.schedule()
            self.lock.unlock()
            self.idle.lock()
            self.idle.broadcast()
            self.idle.unlock()
        }
    }

    /// A worker's run has returned: the entry's next state from how it ended and what
    /// was asked of it.
    private func finish(_ id: Int, _ ending: SweepWorker.Ending) {
        guard let index = entries.firstIndex(where: { $0.id == id }) else { return }
        let before = entries[index].state
        switch (ending, before) {
        case (.interrupted, .pausing):
            entries[index].state = .paused
        case (.interrupted, .cancelling), (.finished, .cancelling):
            do {
                let store = try SweepStore.open(path: layout.database)
                try cancelInStore(name: entries[index].name, store: store)
                entries[index].state = .cancelled
            } catch {
                entries[index].state = .failed
                entries[index].error = "cancel: \(error)"
            }
        case (.interrupted, _):
            // Only a signal to the daemon interrupts a running entry: the daemon is
            // stopping. It stays running in the queue file, so the next daemon resumes it.
            break
        case (.finished, _):
            entries[index].state = storedState(name: entries[index].name) == .failed ? .failed : .finished
        case (.failed(let message), _):
            entries[index].state = .failed
            entries[index].error = message
        }
        do { try save() } catch { log("cannot save the queue: \(error)") }
        log("sweep \(entries[index].name): \(entries[index].state.rawValue)")
        if entries[index].state.isTerminal { notify(entries[index]) }
    }

    /// Before the carried sweeps start: the leases (slots and GPUs) of their trials still
    /// recorded as running are held for them, so that a sweep starting first cannot hand
    /// those slots or GPUs to a new trial before the owner re-attaches it.
    private func reserveLeases(of carried: [QueueEntry]) {
        guard !carried.isEmpty, let store = try? SweepStore.open(path: layout.database) else { return }
        for entry in carried {
            guard let spec = try? SubmittedSpec.parse(entry.spec, kind: entry.kind),
                  let sweep = try? store.sweep(named: entry.name),
                  let running = try? store.runningTrials(sweepID: sweep.id) else { continue }
            let codes = running.map { SlotLease.code(ofRecorded: $0.attempt.slot ?? 0) }
            broker.reserve(entry.id, cost: spec.sweep.threadsPerTrial, codes: codes)
        }
    }

    private func storedState(name: String) -> SweepState? {
        (try? SweepStore.open(path: layout.database).sweep(named: name))??.state
    }

    /// Queued trials cancelled and the sweep recorded as cancelled (nothing of it runs).
    private func cancelInStore(name: String, store: SweepStore) throws {
        guard let sweep = try store.sweep(named: name), !sweep.state.isTerminal else { return }
        _ = try store.cancelQueued(sweepID: sweep.id, reason: "cancelled through the service")
        _ = try store.finishSweep(id: sweep.id, state: .cancelled)
    }

    private func notify(_ entry: QueueEntry) {
        guard let url = settings.webhook else { return }
        Webhook.post(url: url, entry: entry, log: log)
    }
}
