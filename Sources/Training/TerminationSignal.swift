import Foundation
import Synchronization

/// SIGTERM as a flag the training loop polls between steps: the trial then
/// finishes its step, checkpoints and reports `finished` with reason
/// `terminated` (the trial protocol's contract).
public enum TerminationSignal {
    static let requested = Atomic<Bool>(false)

    /// Installs the handler (idempotent). An atomic store is async-signal-safe.
    public static func install() {
        signal(SIGTERM) { _ in TerminationSignal.requested.store(true, ordering: .relaxed) }
    }

    public static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// For tests: request termination as SIGTERM would.
    public static func request() { requested.store(true, ordering: .relaxed) }
    public static func reset() { requested.store(false, ordering: .relaxed) }
}
