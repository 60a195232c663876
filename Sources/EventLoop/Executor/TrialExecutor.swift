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
}
