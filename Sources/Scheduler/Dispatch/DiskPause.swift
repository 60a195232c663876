import EventLoop

/// Dispatching paused while the disk under the runs directory is full: running
/// trials go on, nothing new starts, and space is checked every few seconds.
final class DiskPause {
    private let loop: Loop
    private let runsDirectory: String
    private let lifecycle: AttemptLifecycle
    private let log: LogSink
    private var timer: LoopTimer?
    /// Called on the loop when space is free again.
    var onResume: () -> Void = {}

    init(loop: Loop, runsDirectory: String, lifecycle: AttemptLifecycle, log: LogSink) {
        self.loop = loop
        self.runsDirectory = runsDirectory
        self.lifecycle = lifecycle
        self.log = log
    }

    var isPaused: Bool { timer != nil }

    func pause(_ why: String) throws {
        guard timer == nil else { return }
        lifecycle.diskFullEpisode = true
        log(.info, "the disk under \(runsDirectory) is full (\(why)): dispatching paused until "
            + "\(DiskSpace.minimumFreeBytes >> 20) MiB are free again; nothing is charged to the trials")
        let timer = try LoopTimer(loop: loop)
        try timer.start(after: .seconds(2), repeating: .seconds(2)) { [unowned self] in
            guard !lifecycle.diskIsFull(runsDirectory) else { return }
            cancel()
            lifecycle.diskFullEpisode = false
            log(.info, "space is free again under \(runsDirectory): dispatching resumes")
            onResume()
        }
        self.timer = timer
    }

    func cancel() {
        timer?.cancel()
        timer = nil
    }
}
