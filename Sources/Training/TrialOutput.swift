import Foundation
import TrialProtocol

/// Where a trial speaks: protocol events as JSON lines on stdout (flushed per
/// line, so a scheduler sees each event as it happens), human logs on stderr.
public final class TrialOutput: @unchecked Sendable {
    // Confined to the trial's thread; @unchecked because FileHandle is not Sendable.
    let events: FileHandle
    let logs: FileHandle
    /// Sees every event after it is written (tests and in-process embedding).
    public var observer: ((TrialEvent) -> Void)?

    public init(events: FileHandle = .standardOutput, logs: FileHandle = .standardError) {
        self.events = events
        self.logs = logs
    }

    /// A protocol event the scheduler cannot read is a trial that cannot go on: when the
    /// write fails (a full disk under the output file, a closed pipe) the engine says so on
    /// stderr and exits 1 instead of trapping (FileHandle's untyped write would).
    public func emit(_ event: TrialEvent) {
        do {
            try events.write(contentsOf: Data((event.jsonLine() + "\n").utf8))
        } catch {
            log("cannot write a protocol event to stdout (\(error)); stopping")
            exit(1)
        }
        observer?(event)
    }

    /// Logs are best effort: a log line lost to a full disk is not a reason to stop.
    public func log(_ message: String) {
        try? logs.write(contentsOf: Data(("[vsweep train] " + message + "\n").utf8))
    }
}

/// Monotonic seconds.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
