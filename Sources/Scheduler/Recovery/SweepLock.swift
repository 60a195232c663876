import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<runs>/<sweep>/.scheduler.lock`, held while a scheduler
/// runs the sweep. Start-up recovery treats every running trial of the sweep as
/// an orphan, which is only right when no other scheduler runs it; the kernel drops
/// the lock when its holder dies, even by kill -9.
final class SweepLock {
    let path: String
    private let descriptor: Int32

    init(directory: String, sweep: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/.scheduler.lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SchedulerError.invalidSpec("cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw SchedulerError.sweepLocked(sweep: sweep, lockPath: path)
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
