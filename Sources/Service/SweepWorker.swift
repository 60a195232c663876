import EventLoop
import Foundation
import Scheduler
import SweepStore

/// Runs one queue entry's sweep on a thread of its own, with its own libuv loop and
/// `SweepRunner`, exactly as `vsweep run` would (same start-up recovery, same resume),
/// but with the machine's slots taken through the daemon's `SlotBroker`.
///
/// Commands from the HTTP side cross into the loop through a `LoopWakeup`
/// (`uv_async_send`): `stop` records the request under a lock and wakes the loop, whose
/// thread then calls `SweepRunner.requestShutdown`. Nothing else of the runner is
/// touched off its thread.
final class SweepWorker: @unchecked Sendable {
    enum Ending: Sendable {
        case finished
        case interrupted
        case failed(String)
    }

    let entryID: Int
    private let spec: SubmittedSpec
    /// Indices of the sweep's `parallel.gpus` in the daemon's GPUs (empty: CPU only).
    private let gpuSubset: [Int]
    private let layout: ServiceLayout
    private let broker: SlotBroker
    private let metrics: ServiceMetrics
    private let priority: Int
    private let maxSlots: Int?
    private let log: @Sendable (String) -> Void
    private let schedulerLock: SchedulerLock
    private let lock = NSLock()
    private var wakeup: LoopWakeup?
    private var stopReason: String?
    private var stopApplied = false

    init(entry: QueueEntry, spec: SubmittedSpec, gpuSubset: [Int], layout: ServiceLayout, broker: SlotBroker, metrics: ServiceMetrics,
         schedulerLock: SchedulerLock, log: @escaping @Sendable (String) -> Void) {
        self.metrics = metrics
        self.schedulerLock = schedulerLock
        entryID = entry.id
        self.spec = spec
        self.gpuSubset = gpuSubset
        self.layout = layout
        self.broker = broker
        priority = entry.priority
        maxSlots = entry.maxSlots
        self.log = log
    }

    /// Starts the thread; `ended` is called on it when the sweep's run returns.
    func start(ended: @escaping @Sendable (Ending) -> Void) {
        let thread = Thread { [self] in ended(self.main()) }
        thread.name = "sweep-\(entryID)"
        thread.start()
    }

    /// Any thread: stop the sweep's trials (re-queued, resumable) and end its run.
    func stop(reason: String) {
        lock.lock()
        if stopReason == nil { stopReason = reason }
        let wakeup = self.wakeup
        lock.unlock()
        broker.withdraw(entryID)
        wakeup?.wake()
    }

    private func main() -> Ending {
        var wakeup: LoopWakeup?
        // Loop thread: hands the reports recorded since the last call to the metrics.
        var feedMetrics: () -> Void = {}
        defer { broker.remove(entryID) }
        do {
            let (outcome, runner) = try SweepSession.run(
                spec: spec.sweep, source: spec.parameterSource, databasePath: layout.database,
                runsDirectory: layout.runs, newSweep: false, engineArgv: try engineArgv(), sharedLock: schedulerLock,
                log: { [log, entryID] level, message in
                    if level == .info { log("[\(entryID)] \(message)") }
                },
                prepare: { [self] runner, _ in
                    // Loop thread, before the run: attach the wakeup and the gate.
                    let made = try? LoopWakeup(loop: runner.eventLoop) { [unowned runner, self] in
                        self.applyStop(runner)
                    }
                    wakeup = made
                    runner.slotGate = broker.gate(for: entryID, priority: priority, maxSlots: maxSlots,
                                                  cost: spec.sweep.threadsPerTrial, gpuSubset: gpuSubset,
                                                  gpusPerTrial: spec.sweep.gpusPerTrial) {
                        made?.wake()
                    }
                    lock.lock()
                    self.wakeup = made
                    lock.unlock()
                    var seenReports = 0
                    var seenNanoseconds: UInt64 = 0
                    feedMetrics = { [unowned runner, metrics] in
                        let stats = runner.stats
                        metrics.recordReports(count: stats.reports - seenReports,
                                              nanoseconds: stats.reportNanoseconds &- seenNanoseconds)
                        seenReports = stats.reports
                        seenNanoseconds = stats.reportNanoseconds
                    }
                    runner.onProgress = { _ in feedMetrics() }
                    runner.onReportsCommitted = { [metrics] in metrics.recordReportLatencies($0) }
                    applyStop(runner)
                })
            withExtendedLifetime(runner) {
                feedMetrics()
                close(wakeup)
            }
            let stats = runner.stats
            if stats.reports > 0 {
                // scripts/bench-service reads this line: the loop thread's own CPU per report.
                log("[\(entryID)] scheduler: \(stats.reports) reports, "
                    + String(format: "%.1f", Double(stats.reportNanoseconds) / Double(stats.reports) / 1000)
                    + " us CPU per report; latency to commit mean "
                    + String(format: "%.2f", Double(stats.reportLatencyNanoseconds) / Double(max(1, stats.reportLatencyCount)) / 1e6)
                    + " ms, max " + String(format: "%.2f", Double(stats.reportLatencyMaxNanoseconds) / 1e6) + " ms")
            }
            switch outcome {
            case .finished, .alreadyFinished: return .finished
            case .interrupted: return .interrupted
            }
        } catch {
            close(wakeup)
            return .failed("\(error)")
        }
    }

    /// As `vsweep run` resolves it, but `builtin` runs the sibling `vsweep train` (this
    /// process is vsweep-service).
    private func engineArgv() throws -> [String] {
        guard case .builtin = spec.sweep.engine else { return try SweepSession.engineArgv(for: spec.sweep) }
        guard FileManager.default.isExecutableFile(atPath: layout.vsweepExecutable) else {
            throw SchedulerError.engineNotFound("engine: builtin needs the vsweep executable at \(layout.vsweepExecutable) "
                                                + "(build it, or pass --vsweep PATH to vsweep serve)")
        }
        return [layout.vsweepExecutable, "train"]
    }

    /// Loop thread: a stop asked for before the run or from another thread.
    private func applyStop(_ runner: SweepRunner) {
        lock.lock()
        let reason = stopApplied ? nil : stopReason
        if reason != nil { stopApplied = true }
        lock.unlock()
        if let reason { runner.requestShutdown(reason: reason) }
    }

    /// Loop thread, after the run: later `stop()` calls must not touch the handle.
    private func close(_ wakeup: LoopWakeup?) {
        lock.lock()
        self.wakeup = nil
        lock.unlock()
        wakeup?.close()
    }
}
