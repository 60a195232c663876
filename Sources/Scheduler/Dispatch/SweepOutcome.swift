/// How `SweepRunner.run()` ended (`SweepRunner.Outcome`).
public enum SweepOutcome: Equatable, Sendable {
    /// Every trial ended; the sweep is recorded as finished.
    case finished
    /// The sweep was already finished before this run.
    case alreadyFinished
    /// SIGINT/SIGTERM: running trials were stopped and re-queued; the sweep stays
    /// active so that the next run resumes it.
    case interrupted(signal: Int32)
}

/// The kind of a dispatcher log line (`SweepRunner.LogLevel`).
public enum SweepLogLevel: Sendable { case info, report }
