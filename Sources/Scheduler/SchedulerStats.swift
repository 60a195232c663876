/// What the scheduler spent its own time on, in CPU time of its loop thread (the engine's
/// run time is not in here). For `scripts/bench-scheduler`.
public struct SchedulerStats: Sendable {
    /// Reports recorded, and nanoseconds spent decoding, deciding and recording them
    /// (the store commit of each loop turn's batch included).
    public var reports = 0
    public var reportNanoseconds: UInt64 = 0
    /// Reports committed and their latency (wall clock): from the line reaching the loop
    /// thread to the commit of the batch that recorded it; summed and the largest.
    public var reportLatencyCount = 0
    public var reportLatencyNanoseconds: UInt64 = 0
    public var reportLatencyMaxNanoseconds: UInt64 = 0
    /// Per trial, in the order trials ended: nanoseconds of its own bookkeeping
    /// (sampling, enqueue, start and spawn, process record, exit record).
    public var trialNanoseconds: [UInt64] = []
    /// The loop thread's CPU time (nanoseconds) when each trial ended, in order: the
    /// cost of any window of trials, reports and decisions included.
    public var cpuAtTrialEnd: [UInt64] = []
    /// Store transactions that recorded report batches.
    public var reportBatches = 0
    public var ignoredLines = 0
    public var oversizedLines = 0
    /// Trials that ended, by the outcome recorded for their last attempt.
    public var outcomes: [String: Int] = [:]
    /// Trials stopped at each rung index (ASHA/Hyperband).
    public var stoppedAtRung: [Int: Int] = [:]

    public init() {}
}
