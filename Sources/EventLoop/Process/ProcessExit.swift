/// How a child process ended, as libuv reports it: `termSignal` is non-zero when a
/// signal ended the process (then `exitStatus` is 0); otherwise `exitStatus` is the
/// code it passed to `exit`.
public struct ProcessExit: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var exitStatus: Int64
    public var termSignal: Int32

    public init(exitStatus: Int64, termSignal: Int32) {
        self.exitStatus = exitStatus
        self.termSignal = termSignal
    }

    /// Exited by itself with status 0.
    public var isSuccess: Bool { exitStatus == 0 && termSignal == 0 }

    public var description: String {
        termSignal != 0 ? "killed by signal \(termSignal)" : "exited with status \(exitStatus)"
    }
}
