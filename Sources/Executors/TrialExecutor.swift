import EventLoop
/// The interface the scheduler dispatches trials through. It says nothing about where a
/// trial runs: `LocalProcessExecutor` runs child processes on a libuv loop; a Slurm
/// executor will submit jobs. Every method and every event runs on the loop thread.
public protocol TrialExecutor: AnyObject {
    /// Receives every event of every trial started by this executor.
    var onEvent: ((TrialHandle, ExecutorEvent) -> Void)? { get set }

    /// Whether a started trial may wait (in a batch queue) before it runs. The scheduler
    /// then counts an attempt's deadline from its first output, not from its start.
    var trialsMayWaitInQueue: Bool { get }
    /// Whether a trial's recorded id names something outside this machine's processes
    /// (a batch job id) rather than a local pid.
    var processIDsAreExternal: Bool { get }

    /// Starts a trial. Throws when it cannot be started; then no event will follow.
    func start(_ launch: TrialLaunch) throws -> TrialHandle

    /// Asks a running trial to stop (SIGTERM: finish the step, checkpoint, exit) or
    /// forces it (SIGKILL). Returns false when the trial has already ended.
    @discardableResult
    func terminate(_ handle: TrialHandle, signal: Int32) throws -> Bool

    /// Whether a trial recorded by an earlier scheduler is still running, telling it
    /// apart from an unrelated process or job that reuses its id.
    func isAlive(_ recorded: RecordedProcess) -> Bool

    /// Ends what is left of a recorded trial (for a local process: its whole process
    /// group). Returns whether anything was signalled.
    @discardableResult
    func killGroup(_ recorded: RecordedProcess, signal: Int32) throws -> Bool

    /// Whether trials get `TrialLaunch.output` files and can be re-attached after a
    /// restart (`attach`). Default false.
    var followsOutputFiles: Bool { get }

    /// Follows a trial started by an earlier scheduler: its stdout file from
    /// `offset`, then its end. `recorded` nil: no process of it is known (the events
    /// in the file, if any, are delivered, then the exit). The exit of a process this
    /// executor is not the parent of is unknown: it is delivered as `.lost`. Returns nil
    /// when the executor cannot (the default).
    func attach(_ recorded: RecordedProcess?, trialKey: String, stdout: String, offset: UInt64) throws -> TrialHandle?

    /// Bytes of the trial's stdout file up to the end of the line being delivered,
    /// while `onEvent` delivers it; nil without an output file (the default).
    func outputOffset(of handle: TrialHandle) -> UInt64?

    /// The process that has `stdout` open as its standard output and leads its own
    /// process group: a trial whose pid was not recorded (the scheduler died between the
    /// spawn and the commit). Default nil.
    func findProcess(writing stdout: String) -> RecordedProcess?
}

extension TrialExecutor {
    public var followsOutputFiles: Bool { false }

    public func attach(_ recorded: RecordedProcess?, trialKey: String, stdout: String,
                       offset: UInt64) throws -> TrialHandle? { nil }

    public func outputOffset(of handle: TrialHandle) -> UInt64? { nil }

    public func findProcess(writing stdout: String) -> RecordedProcess? { nil }
}
