import EventLoop
/// How a trial ended.
public enum TrialExit: Equatable, Hashable, Sendable {
    /// Exited by itself with this status.
    case exited(status: Int64)
    /// Ended by a signal.
    case signaled(signal: Int32)
    /// The executor lost track of it (for example a batch job that vanished); the reason
    /// says how.
    case lost(reason: String)

    public init(_ exit: ProcessExit) {
        self = exit.termSignal != 0 ? .signaled(signal: exit.termSignal) : .exited(status: exit.exitStatus)
    }
}

/// What an executor reports about a running trial, in the order it happened. For one
/// trial, `.exited` comes last and exactly once; no event follows it.
public enum ExecutorEvent: Equatable, Hashable, Sendable {
    /// One line of output without its `'\n'`.
    case line(OutputChannel, [UInt8])
    /// A line longer than the executor's maximum was dropped; `length` is its size.
    case oversizedLine(OutputChannel, length: Int)
    case exited(TrialExit)
}
