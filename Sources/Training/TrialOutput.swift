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

    public func emit(_ event: TrialEvent) {
        events.write(Data((event.jsonLine() + "\n").utf8))
        observer?(event)
    }

    public func log(_ message: String) {
        logs.write(Data(("[vsweep train] " + message + "\n").utf8))
    }
}

/// Monotonic seconds.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
