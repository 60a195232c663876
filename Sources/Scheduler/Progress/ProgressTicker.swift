import EventLoop
import Executors

/// The dispatcher's periodic tick (load samples, a progress snapshot) and the
/// snapshot itself. A one-shot timer re-armed only while trials run, so that an idle
/// scheduler's loop still runs dry and the watchdog can see it.
final class ProgressTicker {
    private let timers: any TimerScheduling
    private var timer: TimerID?
    private var startedAt: UInt64 = 0
    /// Runs at each tick; returns whether to tick again.
    var onTick: () -> Bool = { false }

    init(timers: any TimerScheduling) { self.timers = timers }

    func start() { startedAt = timers.clock.nanoseconds }

    func schedule(every interval: Duration, done: Bool) {
        guard timer == nil, !done else { return }
        timer = try? timers.schedule(after: interval) { [unowned self] in
            timer = nil
            if onTick() { schedule(every: interval, done: false) }
        }
    }

    func cancel() {
        if let timer { timers.cancel(timer) }
        timer = nil
    }

    func snapshot(sweep: String, active: some Collection<ActiveTrial>, ledger: SweepLedger,
                  creationClosed: String?) -> SweepProgress {
        let now = timers.clock.nanoseconds
        let running = active.sorted { $0.number < $1.number }.map { entry in
            SweepProgress.Running(number: entry.number, attempt: entry.attempt, step: entry.lastStep,
                                  value: entry.lastObjective?.raw, seconds: Double(now &- entry.startedAt) / 1e9)
        }
        return SweepProgress(sweep: sweep, running: running,
                             best: ledger.best.map { SweepProgress.Best(number: $0.number, value: $0.value) },
                             elapsedSeconds: Double(now &- startedAt) / 1e9, creationClosed: creationClosed,
                             tally: ledger.tally)
    }
}
